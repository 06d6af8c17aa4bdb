"""``Adam`` and ``AdamW``: adaptive moment estimation, with coupled or decoupled weight decay."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_betas, check_nonnegative
from chainrule.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), PyTorch's update rule to the digit.

    At step :math:`t`, for each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay; AdamW instead does }
            \\theta \\leftarrow (1 - \\alpha\\lambda)\\theta) \\\\
        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\qquad
        v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
        \\theta &\\leftarrow \\theta - \\frac{\\alpha}{1 - \\beta_1^t}
            \\frac{m}{\\sqrt{v} / \\sqrt{1 - \\beta_2^t} + \\epsilon}

    With ``amsgrad``, :math:`v` in the denominator is the running maximum of :math:`v`.

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\alpha` (default 1e-3).
        betas: :math:`(\\beta_1, \\beta_2)`, the moments' decay rates (default (0.9, 0.999)).
        eps: :math:`\\epsilon`, added to the denominator (default 1e-8).
        weight_decay: :math:`\\lambda` (default 0).
        amsgrad: use the AMSGrad variant (default False).
        maximize: ascend instead of descend (default False).
    """

    _decoupled_weight_decay = False

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        *,
        maximize=False,
    ):
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["exp_avg"] = chainrule.zeros_like(p.data)
                state["exp_avg_sq"] = chainrule.zeros_like(p.data)
                if amsgrad:
                    state["max_exp_avg_sq"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            step = state["step"]
            if weight_decay != 0:
                if self._decoupled_weight_decay:
                    theta *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * theta
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            if amsgrad:
                v_max = state["max_exp_avg_sq"]._data
                v_max[...] = xp.maximum(v_max, v)
                v = v_max
            step_size = lr / (1 - beta1**step)
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            denom = xp.sqrt(v) / bias_correction2_sqrt + eps
            theta += (-step_size * m) / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Before the Adam step, :math:`\\theta \\leftarrow (1 - \\alpha\\lambda)\\,\\theta`; the decay
    does not pass through the moments. Default ``weight_decay`` is 1e-2, as in PyTorch.
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
