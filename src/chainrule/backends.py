"""``chainrule.backends``: the flags PyTorch programs set for its GPU back ends.

chainrule runs on NumPy on the CPU: ``mps`` and ``cudnn`` are never available, and the
``cudnn`` flags (``deterministic``, ``benchmark``, ``enabled``, ``allow_tf32``) are stored so
that seeding preambles run, but change nothing.  chainrule's own ops are deterministic.
"""

__all__ = ["cudnn", "mps", "are_deterministic_algorithms_enabled", "use_deterministic_algorithms"]


class _Mps:
    """``torch.backends.mps``: Apple's Metal back end, which chainrule lacks."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_built():
        return False


class _Cudnn:
    """``torch.backends.cudnn``: never available; its flags are kept and read back."""

    def __init__(self):
        self.enabled = True
        self.deterministic = False
        self.benchmark = False
        self.allow_tf32 = True

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def version():
        return None


mps = _Mps()
cudnn = _Cudnn()

# (mode, warn_only) of use_deterministic_algorithms
_deterministic = [False, False]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms.  Every chainrule op already is; the setting is kept
    so that ``are_deterministic_algorithms_enabled()`` reads it back."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"use_deterministic_algorithms(): argument 'mode' must be bool, not "
            f"{type(mode).__name__}"
        )
    _deterministic[:] = [mode, bool(warn_only)]


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic[1]
