"""``RMSprop``: divide the gradient by a running root mean square of recent gradients."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_nonnegative
from chainrule.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), PyTorch's update rule to the digit.

    For each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay)} \\\\
        v &\\leftarrow \\alpha v + (1 - \\alpha) g^2 \\\\
        \\bar g &\\leftarrow \\alpha \\bar g + (1 - \\alpha) g, \\quad
            \\tilde v = v - \\bar g^2 \\quad\\text{(centered; else } \\tilde v = v) \\\\
        b &\\leftarrow \\mu b + g / (\\sqrt{\\tilde v} + \\epsilon), \\quad
            \\theta \\leftarrow \\theta - \\eta b \\quad\\text{(momentum } \\mu > 0) \\\\
        \\theta &\\leftarrow \\theta - \\eta\\, g / (\\sqrt{\\tilde v} + \\epsilon)
            \\quad\\text{(no momentum)}

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\eta` (default 1e-2).
        alpha: smoothing constant :math:`\\alpha` (default 0.99).
        eps: :math:`\\epsilon`, added to the denominator (default 1e-8).
        weight_decay: L2 penalty :math:`\\lambda` (default 0).
        momentum: momentum factor :math:`\\mu` (default 0).
        centered: normalise by the estimated variance of the gradient (default False).
        maximize: ascend instead of descend (default False).
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        *,
        maximize=False,
    ):
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        centered = group["centered"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["square_avg"] = chainrule.zeros_like(p.data)
                if momentum > 0:
                    state["momentum_buffer"] = chainrule.zeros_like(p.data)
                if centered:
                    state["grad_avg"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            if weight_decay != 0:
                g = g + weight_decay * theta
            v = state["square_avg"]._data
            v *= alpha
            v += (1 - alpha) * g * g
            if centered:
                g_avg = state["grad_avg"]._data
                g_avg += (g - g_avg) * (1 - alpha)
                avg = xp.sqrt(v - g_avg * g_avg)
            else:
                avg = xp.sqrt(v)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += g / avg
                theta -= lr * buf
            else:
                theta += (-lr) * (g / avg)
