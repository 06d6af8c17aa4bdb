"""What PyTorch programs ask of the runtime around the maths: ``compile``, the thread count
and ``autocast``.  chainrule runs eagerly on NumPy, so these keep programs running and
say plainly what they do here."""

import functools
import os
import warnings

__all__ = ["autocast", "compile", "get_num_threads", "set_num_threads"]


def compile(
    model=None,
    *,
    fullgraph=False,
    dynamic=None,
    backend="inductor",
    mode=None,
    options=None,
    disable=False,
):
    """``torch.compile``: chainrule runs eagerly, so the module or function is returned as
    it is (also as a decorator, with or without arguments); its results are those of the
    uncompiled code, as PyTorch's are meant to be."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile: expected a Module or a function, got {type(model).__name__}")
    return model


_threads = [None]  # the count set through set_num_threads, when threadpoolctl is absent


def _blas_limits():
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def get_num_threads():
    """The threads of the BLAS under NumPy, which runs chainrule's matrix products (the
    counterpart of PyTorch's intra-op threads)."""
    ctl = _blas_limits()
    if ctl is not None:
        pools = ctl.threadpool_info()
        counts = [info["num_threads"] for info in pools if info["user_api"] == "blas"]
        if counts:
            return max(counts)
    return _threads[0] or os.cpu_count() or 1


def set_num_threads(n):
    """Set the BLAS threads for the rest of the process (through threadpoolctl, installed
    with scikit-learn; without it, set ``OMP_NUM_THREADS`` before starting Python)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    ctl = _blas_limits()
    if ctl is None:
        warnings.warn(
            "set_num_threads: threadpoolctl is not installed, so the BLAS thread count cannot "
            "change at run time; set OMP_NUM_THREADS before starting Python instead",
            RuntimeWarning,
            stacklevel=2,
        )
        _threads[0] = n
        return
    ctl.threadpool_limits(n, user_api="blas")


class autocast:
    """``torch.autocast`` as a context manager or decorator.  chainrule computes every op
    in its operands' own dtype (it has no bfloat16), so an enabled autocast region runs in
    full precision; a warning says so once."""

    _warned = False

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"autocast: device_type must be a string, got {device_type!r}")
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, enabled

    def __enter__(self):
        if self.enabled and not autocast._warned:
            autocast._warned = True
            warnings.warn(
                "autocast: chainrule runs each op in its inputs' dtype; this region is not "
                "cast to lower precision",
                UserWarning,
                stacklevel=2,
            )
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapped
