"""Switching gradient recording and anomaly detection on and off.

Each switch works as a context manager and as a function decorator, as in PyTorch.
"""

import functools

from .._grad_mode import anomaly_enabled, grad_enabled

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
]


class _Switch:
    """Set a flag on entry and restore it on exit; usable as ``@decorator`` too."""

    flag = grad_enabled
    value = True

    def __enter__(self):
        self._previous = self.flag[0]
        self.flag[0] = self.value
        return self

    def __exit__(self, *exc):
        self.flag[0] = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class _BareDecorator(_Switch):
    """Also usable as ``@no_grad`` without parentheses."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func=None):
        pass


class no_grad(_BareDecorator):
    """Do not record operations (for evaluation and parameter updates)."""

    value = False


class enable_grad(_BareDecorator):
    """Record operations, even inside ``no_grad``."""

    value = True


class inference_mode(_Switch):
    """Like ``no_grad`` (chainrule has no separate inference tensors)."""

    def __init__(self, mode=True):
        self.value = not mode

    def __call__(self, fn):
        mode = not self.value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper


class _Immediate(_Switch):
    """A switch that takes effect when called, as a plain function call does, and can
    still be used with ``with`` (restoring the old value on exit) or as a decorator."""

    def __init__(self, mode):
        self.value = bool(mode)
        self._previous = self.flag[0]
        self.flag[0] = self.value

    def __enter__(self):
        return self

    def __call__(self, fn):
        self.flag[0] = self._previous
        cls, mode = type(self), self.value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with cls(mode):
                return fn(*args, **kwargs)

        return wrapper


class set_grad_enabled(_Immediate):
    """Turn recording on or off: a function call, a context manager or a decorator."""


def is_grad_enabled():
    return grad_enabled[0]


class detect_anomaly(_Switch):
    """Record where each op was created, and fail at the first NaN or Inf.

    In this mode every node remembers the line of user code that created it; a NaN or
    Inf produced by an op's forward or backward raises an error naming the op and that
    line, and the in-place-modification error names it too.  It slows every op down.
    """

    flag = anomaly_enabled

    def __init__(self, check_nan=True):
        self.value = True


class set_detect_anomaly(_Immediate):
    """Turn anomaly detection on or off (see ``detect_anomaly``)."""

    flag = anomaly_enabled

    def __init__(self, mode, check_nan=True):
        super().__init__(mode)


def is_anomaly_enabled():
    return anomaly_enabled[0]
