"""``NAdam``: Adam with Nesterov momentum and a warming momentum schedule."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_betas, check_flags, check_nonnegative, scalar_state
from chainrule.optim.optimizer import Optimizer


class NAdam(Optimizer):
    """NAdam (Dozat, 2016), PyTorch's update rule to the digit.

    At step :math:`t`, for each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(or, decoupled: }
            \\theta \\leftarrow (1 - \\gamma\\lambda)\\theta) \\\\
        \\mu_t &= \\beta_1 (1 - \\tfrac12\\, 0.96^{t\\psi}), \\qquad
            \\Pi_t = \\textstyle\\prod_{i \\le t} \\mu_i \\\\
        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\qquad
            v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
        \\theta &\\leftarrow \\theta - \\gamma \\frac{(1 - \\mu_t) g / (1 - \\Pi_t)
            + \\mu_{t+1} m / (1 - \\Pi_t \\mu_{t+1})}{\\sqrt{v / (1 - \\beta_2^t)} + \\epsilon}

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\gamma` (default 2e-3).
        betas: :math:`(\\beta_1, \\beta_2)` (default (0.9, 0.999)).
        eps: :math:`\\epsilon`, added to the denominator (default 1e-8).
        weight_decay: :math:`\\lambda` (default 0).
        momentum_decay: :math:`\\psi` (default 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW (default False).
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
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        check_flags("NAdam", capturable, differentiable)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, psi = group["weight_decay"], group["momentum_decay"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["mu_product"] = scalar_state(1.0)
                state["exp_avg"] = chainrule.zeros_like(p.data)
                state["exp_avg_sq"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            step = state["step"]
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    theta *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * theta
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
            state["mu_product"]._data *= mu  # in the scalar state's dtype, as PyTorch
            mu_product = float(state["mu_product"]._data)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            denom = xp.sqrt(v / (1 - beta2**step)) + eps
            theta += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            theta += (-lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)
