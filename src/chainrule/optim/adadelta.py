"""``Adadelta``: steps scaled by the ratio of running RMS of updates and of gradients."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_flags, check_nonnegative
from chainrule.optim.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), PyTorch's update rule to the digit.

    For each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay)} \\\\
        v &\\leftarrow \\rho v + (1 - \\rho) g^2 \\\\
        \\Delta &= \\frac{\\sqrt{u + \\epsilon}}{\\sqrt{v + \\epsilon}}\\, g, \\qquad
            u \\leftarrow \\rho u + (1 - \\rho) \\Delta^2 \\\\
        \\theta &\\leftarrow \\theta - \\gamma \\Delta

    Args:
        params: parameters or parameter groups to optimise.
        lr: :math:`\\gamma`, a factor on the step (default 1.0).
        rho: :math:`\\rho`, the running averages' decay, in [0, 1] (default 0.9).
        eps: :math:`\\epsilon` (default 1e-6).
        weight_decay: :math:`\\lambda` (default 0).
        foreach, capturable, maximize, differentiable: PyTorch's flags; ``foreach`` changes
            nothing here, ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho} (need 0 <= rho <= 1)")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        check_flags("Adadelta", capturable, differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["square_avg"] = chainrule.zeros_like(p.data)
                state["acc_delta"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            if weight_decay != 0:
                g = g + weight_decay * theta
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            v += (1 - rho) * g * g
            delta = xp.sqrt(u + eps) / xp.sqrt(v + eps) * g
            u *= rho
            u += (1 - rho) * delta * delta
            theta += -lr * delta
