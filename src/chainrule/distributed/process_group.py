"""The default process group: the processes an MPI launcher started, and their ranks.

``init_process_group(backend="mpi")`` joins the processes that ``mpirun -n N`` started
(``MPI.COMM_WORLD``): rank and world size come from the launcher.  From then on an
exception that escapes on any rank prints its traceback and aborts the whole job
(``MPI_Abort``), so the other ranks never hang in a collective waiting for it.

mpi4py is imported on first use only, so ``import chainrule.distributed`` works without it.
"""

import os
import sys
import traceback

__all__ = [
    "Backend",
    "GroupMember",
    "group",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "launched_world_size",
]

INSTALL_HINT = (
    "chainrule.distributed runs on MPI through mpi4py; install both with "
    "`pip install 'chainrule[distributed]'` (mpi4py and Open MPI from the package index, "
    "no system MPI needed)"
)
NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class Backend(str):
    """Backend names, as ``torch.distributed.Backend``; chainrule has one: ``"mpi"``."""

    MPI = "mpi"

    def __new__(cls, name):
        return str.__new__(cls, name.lower())


class _World:
    """Stands for the default group, as ``torch.distributed.GroupMember.WORLD`` does."""

    def __repr__(self):
        return "<chainrule.distributed.group.WORLD>"


class GroupMember:
    WORLD = _World()
    NON_GROUP_MEMBER = -100


class group:  # noqa: N801 -- PyTorch's name: ``dist.group.WORLD``
    WORLD = GroupMember.WORLD


class _State:
    """The one default process group of this process (``comm`` is None before init)."""

    comm = None
    previous_excepthook = None


_state = _State()


def is_available():
    """True: the package is always importable (the MPI itself is checked at init)."""
    return True


def is_mpi_available():
    """Whether mpi4py (and so an MPI library) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_initialized():
    """Whether ``init_process_group`` has been called (and not undone)."""
    return _state.comm is not None


def launched_world_size():
    """The number of processes the MPI launcher started, read from its environment
    (Open MPI's ``OMPI_COMM_WORLD_SIZE``, MPICH/Hydra's ``PMI_SIZE``); 1 when not launched
    by ``mpirun``.  Needs no MPI import, so a program can decide whether to go parallel."""
    for name in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"):
        value = os.environ.get(name)
        if value:
            return int(value)
    return 1


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(f"{INSTALL_HINT} ({exc})") from None
    return MPI


def init_process_group(
    backend=None,
    init_method=None,
    timeout=None,
    world_size=-1,
    rank=-1,
    store=None,
    group_name="",
    pg_options=None,
    device_id=None,
):
    """Join the processes started by an MPI launcher (``mpirun -n N python script.py``).

    Rank and world size come from MPI (``MPI.COMM_WORLD``); ``world_size`` and ``rank``, if
    given, must agree with them.  Run without a launcher, the process is a group of one.
    After this call an uncaught exception on any rank aborts every rank of the job with a
    non-zero exit status, instead of leaving the others waiting in a collective.

    Args:
        backend: ``"mpi"`` or None (the only backend chainrule has).
        init_method, timeout, store, group_name, pg_options, device_id: accepted for
            PyTorch compatibility; MPI's launcher already did the rendezvous.
        world_size, rank: optional checks against the launcher's values.

    Example:
        >>> import chainrule.distributed as dist
        >>> dist.init_process_group(backend="mpi")
        >>> dist.get_rank(), dist.get_world_size()
        (0, 2)
    """
    if _state.comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None and str(backend).lower() != Backend.MPI:
        raise ValueError(
            f"init_process_group: chainrule.distributed has only the 'mpi' backend, got "
            f"backend={backend!r}; pass backend='mpi' (or None) and start the processes "
            f"with `mpirun -n N python ...`"
        )
    if store is not None:
        raise ValueError("init_process_group: the 'mpi' backend takes no store; drop store=")
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    for name, given, actual in (("world_size", world_size, comm.size), ("rank", rank, comm.rank)):
        if given not in (-1, None) and given != actual:
            raise ValueError(
                f"init_process_group: {name}={given} disagrees with the MPI launcher's "
                f"{name} {actual}; leave {name} unset with the 'mpi' backend"
            )
    _state.comm = comm
    if comm.size > 1:
        _state.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught_exception


def destroy_process_group(group=None):
    """Leave the default group: collectives raise again until the next init.

    MPI itself stays initialised (mpi4py finalises it at exit), so a process may
    ``init_process_group`` again later.
    """
    if _state.comm is None:
        raise AssertionError("Process group cannot be None")
    _check_group(group, "destroy_process_group")
    _state.comm = None
    if _state.previous_excepthook is not None:
        sys.excepthook = _state.previous_excepthook
        _state.previous_excepthook = None


def _abort_on_uncaught_exception(exc_type, exc, tb):
    """Print the traceback, then end every rank of the job (MPI_Abort) with status 1."""
    comm = _state.comm
    rank = "?" if comm is None else comm.rank
    size = "?" if comm is None else comm.size
    body = "".join(traceback.format_exception(exc_type, exc, tb))
    try:
        sys.stdout.flush()  # what the rank printed before, then its traceback
    except (OSError, ValueError):
        pass
    sys.stderr.write("".join(f"[rank {rank}] {line}\n" for line in body.splitlines()))
    sys.stderr.write(
        f"chainrule.distributed: rank {rank} of {size} raised {exc_type.__name__}; "
        f"aborting every rank of the job\n"
    )
    sys.stderr.flush()
    _mpi().COMM_WORLD.Abort(1)


def _comm():
    """The default group's communicator, or PyTorch's error before init."""
    comm = _state.comm
    if comm is None:
        raise ValueError(NOT_INITIALIZED)
    return comm


def _check_group(group, op):
    if group is not None and group is not GroupMember.WORLD:
        raise ValueError(
            f"{op}: chainrule.distributed has only the default group; pass group=None "
            f"(or dist.group.WORLD), got {group!r}"
        )


def get_rank(group=None):
    """This process's rank in the default group, ``0 .. world_size - 1``."""
    comm = _comm()
    _check_group(group, "get_rank")
    return comm.rank


def get_world_size(group=None):
    """The number of processes in the default group."""
    comm = _comm()
    _check_group(group, "get_world_size")
    return comm.size


def get_backend(group=None):
    """``"mpi"``: the backend of the default group."""
    _comm()
    _check_group(group, "get_backend")
    return Backend(Backend.MPI)
