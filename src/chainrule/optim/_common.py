"""What the optimisers share: PyTorch's extra flags, its hyperparameter checks, and its
0-d scalar state."""

import chainrule


def check_flags(name, capturable, differentiable):
    """Accept PyTorch's ``capturable`` and ``differentiable`` flags when off; say why not when on.

    ``foreach`` needs no check: the update is the same arithmetic either way.
    """
    if capturable:
        raise ValueError(
            f"{name}: capturable=True (CUDA-graph capture) is not supported by chainrule; "
            "pass capturable=False"
        )
    if differentiable:
        raise NotImplementedError(
            f"{name}: differentiable=True is not supported: chainrule's optimisers update the "
            "parameters' arrays outside autograd; pass differentiable=False"
        )


def check_nonnegative(**values):
    """Raise ``ValueError`` naming the first hyperparameter below 0 (``lr``, ``eps``, ...)."""
    names = {"lr": "learning rate", "eps": "epsilon value"}
    for key, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {names.get(key, key + ' value')}: {value} (it must be >= 0)")


def check_betas(betas):
    """Each beta must lie in [0, 1)."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta} (need 0 <= beta < 1)")


def scalar_state(value):
    """A 0-d tensor in PyTorch's dtype for scalar state: float64 when that is the default
    dtype, else float32, so a running product (NAdam's ``mu_product``) or a stored rate
    (ASGD's ``eta``) rounds exactly as PyTorch's does."""
    if chainrule.get_default_dtype() == chainrule.float64:
        return chainrule.tensor(value, dtype=chainrule.float64)
    return chainrule.tensor(value, dtype=chainrule.float32)
