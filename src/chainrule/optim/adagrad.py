"""``Adagrad``: per-coordinate rates scaled by the accumulated squared gradients."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_nonnegative
from chainrule.optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011), PyTorch's update rule to the digit.

    At step :math:`t`, for each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay)} \\\\
        \\tilde\\eta &= \\eta / (1 + (t - 1)\\,\\delta) \\\\
        s &\\leftarrow s + g^2 \\quad (s_0 = \\text{initial\\_accumulator\\_value}) \\\\
        \\theta &\\leftarrow \\theta - \\tilde\\eta\\, g / (\\sqrt{s} + \\epsilon)

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\eta` (default 1e-2).
        lr_decay: :math:`\\delta` (default 0).
        weight_decay: L2 penalty :math:`\\lambda` (default 0).
        initial_accumulator_value: starting value of :math:`s` (default 0).
        eps: :math:`\\epsilon`, added to the denominator (default 1e-10).
        maximize: ascend instead of descend (default False).
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        check_nonnegative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(theta)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["sum"] = chainrule.full_like(p.data, group["initial_accumulator_value"])
            state["step"] += 1.0
            if weight_decay != 0:
                g = g + weight_decay * theta
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            s = state["sum"]._data
            s += g * g
            theta += (-clr) * (g / (xp.sqrt(s) + eps))
