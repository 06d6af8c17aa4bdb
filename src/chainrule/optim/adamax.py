"""``Adamax``: Adam with the infinity norm in place of the second moment."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_betas, check_flags, check_nonnegative
from chainrule.optim.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7), PyTorch's update rule to the digit.

    At step :math:`t`, for each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay)} \\\\
        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\qquad
            u \\leftarrow \\max(\\beta_2 u, |g| + \\epsilon) \\\\
        \\theta &\\leftarrow \\theta - \\frac{\\gamma}{1 - \\beta_1^t} \\frac{m}{u}

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\gamma` (default 2e-3).
        betas: :math:`(\\beta_1, \\beta_2)` (default (0.9, 0.999)).
        eps: :math:`\\epsilon` (default 1e-8).
        weight_decay: :math:`\\lambda` (default 0).
        foreach, maximize, capturable, differentiable: PyTorch's flags; ``foreach`` changes
            nothing here, ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        check_flags("Adamax", capturable, differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["exp_avg"] = chainrule.zeros_like(p.data)
                state["exp_inf"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            if weight_decay != 0:
                g = g + weight_decay * theta
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            m += (g - m) * (1 - beta1)
            u[...] = xp.maximum(u * beta2, xp.abs(g) + eps)
            clr = lr / (1 - beta1 ** state["step"])
            theta += -clr * (m / u)
