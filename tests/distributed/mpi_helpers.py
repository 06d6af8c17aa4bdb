"""Run a worker script on several processes under the MPI that `chainrule[distributed]`
installs (the Open MPI wheel's mpirun, next to this interpreter), on loopback only."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import pytest

WORKERS = pathlib.Path(__file__).parent / "workers"


def mpirun_path():
    """The mpirun beside this interpreter (a venv's bin/), else one on PATH."""
    beside = pathlib.Path(sys.executable).parent / "mpirun"
    if beside.exists():
        return str(beside)
    found = shutil.which("mpirun")
    if found is None:
        pytest.fail(
            "no mpirun: install the test extra (pip install -e '.[test]'), which brings "
            "mpi4py and Open MPI from the package index"
        )
    return found


def mpi_env():
    """The environment for a local, loopback-only job that may run as root."""
    env = dict(os.environ)
    env.update(
        OMPI_ALLOW_RUN_AS_ROOT="1",  # CI runs as root; Open MPI refuses without these
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMPI_MCA_btl="self,sm,tcp",  # shared memory between local ranks ...
        OMPI_MCA_btl_tcp_if_include="lo",  # ... and, if TCP is used at all, loopback only
        OMPI_MCA_pml="ob1",  # no UCX/libfabric probing of network hardware
        OMPI_MCA_rmaps_base_oversubscribe="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def worker(name):
    """The path of a worker script under workers/."""
    return WORKERS / name


def mpirun(*argv, n=2, timeout=120):
    """``mpirun -n N python ARGV...`` (a script and its arguments, or ``-m module``...).

    The job runs in a session of its own; past ``timeout`` seconds every process of that
    session (mpirun and the ranks, which leave its process group) is ended and the test
    fails, so a hung job never outlives the test.
    """
    command = [mpirun_path(), "-n", str(n), "--oversubscribe", sys.executable, *map(str, argv)]
    job = subprocess.Popen(
        command,
        env=mpi_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = job.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        job.terminate()  # mpirun ends its ranks on SIGTERM ...
        try:
            stdout, stderr = job.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            stdout, stderr = "", ""
        _kill_session(job.pid)  # ... and whatever is left of the job goes now
        job.wait()
        pytest.fail(f"mpirun timed out after {timeout} s: {command}\n{stdout}\n{stderr}")
    return subprocess.CompletedProcess(command, job.returncode, stdout, stderr)


def _kill_session(session):
    """SIGKILL every process whose session id is ``session`` (the job started here)."""
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            # the fields after the command name (which may hold spaces) start with state
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            try:
                os.kill(int(stat.parent.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def run_checks(script, tmp_path, n=2, timeout=180):
    """Run a worker that writes ``{check: "ok" | failure text}`` per rank into tmp_path;
    return ``{check: {rank: result}}`` (the job must exit 0)."""
    result = mpirun(worker(script), tmp_path, n=n, timeout=timeout)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    merged = {}
    for rank in range(n):
        path = tmp_path / f"rank{rank}.json"
        assert path.exists(), f"rank {rank} wrote no results\n{result.stdout}\n{result.stderr}"
        for check, outcome in json.loads(path.read_text()).items():
            merged.setdefault(check, {})[rank] = outcome
    return merged


def assert_all_ok(results, n_checks, n_ranks=2):
    """Every check passed on every rank, and all ``n_checks`` of them ran."""
    failures = {
        f"{name} (rank {rank})": outcome
        for name, by_rank in results.items()
        for rank, outcome in by_rank.items()
        if outcome != "ok"
    }
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert len(results) == n_checks, sorted(results)
    assert all(len(by_rank) == n_ranks for by_rank in results.values())
