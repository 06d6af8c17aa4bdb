"""``chainrule.accelerator``: there is none; chainrule computes on the CPU.

Present so that the device preamble of current PyTorch tutorials runs unchanged::

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() \\
        else "cpu"
"""

__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available"]


def is_available():
    """``False``: no accelerator (GPU) is available to chainrule."""
    return False


def current_accelerator(check_available=False):
    """The accelerator's device: ``None``, as PyTorch answers on a CPU-only machine."""
    return None


def device_count():
    """The number of accelerator devices: 0."""
    return 0


def current_device_index():
    """Raises, as PyTorch does without an accelerator."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


synchronize = current_device_index
