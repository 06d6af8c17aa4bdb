"""``RAdam``: Adam with the variance of its adaptive rate rectified."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_betas, check_flags, check_nonnegative
from chainrule.optim.optimizer import Optimizer


class RAdam(Optimizer):
    """RAdam (Liu et al., 2020), PyTorch's update rule to the digit.

    At step :math:`t`, with :math:`m, v` Adam's moments and
    :math:`\\rho_\\infty = 2 / (1 - \\beta_2) - 1`,
    :math:`\\rho_t = \\rho_\\infty - 2 t \\beta_2^t / (1 - \\beta_2^t)`:

    .. math::
        \\hat m &= m / (1 - \\beta_1^t) \\\\
        \\theta &\\leftarrow \\theta - \\gamma \\hat m\\, r_t
            \\frac{\\sqrt{1 - \\beta_2^t}}{\\sqrt{v} + \\epsilon}, \\quad
            r_t = \\sqrt{\\frac{(\\rho_t - 4)(\\rho_t - 2)\\rho_\\infty}
            {(\\rho_\\infty - 4)(\\rho_\\infty - 2)\\rho_t}} \\quad\\text{if } \\rho_t > 5 \\\\
        \\theta &\\leftarrow \\theta - \\gamma \\hat m \\quad\\text{otherwise (early steps)}

    Weight decay adds :math:`\\lambda\\theta` to :math:`g`, or with
    ``decoupled_weight_decay`` multiplies :math:`\\theta` by :math:`1 - \\gamma\\lambda`.

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\gamma` (default 1e-3).
        betas: :math:`(\\beta_1, \\beta_2)` (default (0.9, 0.999)).
        eps: :math:`\\epsilon` (default 1e-8).
        weight_decay: :math:`\\lambda` (default 0).
        decoupled_weight_decay: decay the weights directly, as AdamW (default False).
        foreach, maximize, capturable, differentiable: PyTorch's flags; ``foreach`` changes
            nothing here, ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        check_flags("RAdam", capturable, differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        rho_inf = 2 / (1 - beta2) - 1
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["exp_avg"] = chainrule.zeros_like(p.data)
                state["exp_avg_sq"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            step = state["step"]
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    theta *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * theta
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            bias_correction2 = 1 - beta2**step
            m_hat = m / (1 - beta1**step)
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                adaptive_lr = bias_correction2**0.5 / (xp.sqrt(v) + eps)
                theta -= m_hat * lr * adaptive_lr * rect
            else:
                theta -= m_hat * lr
