"""Shared helpers for the nn tests: float64 tensors in both libraries, and comparisons."""

import numpy as np
import torch

import chainrule


def cr64(array, requires_grad=False):
    return chainrule.tensor(
        np.asarray(array, dtype=np.float64), dtype=chainrule.float64, requires_grad=requires_grad
    )


def th64(array, requires_grad=False):
    return torch.tensor(
        np.asarray(array, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad
    )


def as_np(t):
    return np.asarray(t.detach().numpy())


def assert_close(actual, expected, rtol=1e-10, atol=1e-12, what=""):
    np.testing.assert_allclose(as_np(actual), as_np(expected), rtol=rtol, atol=atol, err_msg=what)


def copy_params(torch_module, cr_module):
    """Give ``cr_module`` the parameters of ``torch_module`` (same names), through NumPy."""
    state = {k: v.detach().numpy().copy() for k, v in torch_module.state_dict().items()}
    cr_module.load_state_dict(state)
