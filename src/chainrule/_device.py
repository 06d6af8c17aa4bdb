"""Devices: chainrule computes on the CPU with NumPy, so ``device("cpu")`` is the only one.

These exist so that the usual PyTorch preamble runs unchanged::

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device); x = x.to(device)
"""

__all__ = ["device", "cuda"]


class device:
    """A device name; only ``"cpu"`` (optionally ``"cpu:0"``) is available."""

    def __init__(self, type="cpu", index=None):
        name = str(type)
        kind, _, number = name.partition(":")
        if kind != "cpu":
            raise RuntimeError(
                f"chainrule runs on the CPU only; device '{name}' is not "
                f"available (torch.cuda.is_available() is False)"
            )
        self.type = "cpu"
        self.index = int(number) if number else index

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"

    def __eq__(self, other):
        return str(other).partition(":")[0] == "cpu"

    def __hash__(self):
        return hash("cpu")


class cuda:
    """``torch.cuda`` as far as CPU-only code asks it: there is no GPU."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        """Nothing to seed: kept so that seeding code for both devices runs."""

    manual_seed_all = manual_seed
