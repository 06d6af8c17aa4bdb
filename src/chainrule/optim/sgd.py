"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

import chainrule
from chainrule.optim._common import check_nonnegative
from chainrule.optim.optimizer import Optimizer, required


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule to the digit.

    For each parameter :math:`\\theta` with gradient :math:`g`:

    .. math::
        g &\\leftarrow g + \\lambda\\theta \\quad\\text{(weight decay)} \\\\
        b &\\leftarrow \\mu b + (1 - \\tau) g \\quad (b = g \\text{ at the first step}) \\\\
        g &\\leftarrow g + \\mu b \\text{ if nesterov, else } b \\\\
        \\theta &\\leftarrow \\theta - \\alpha g

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\alpha` (default 1e-3).
        momentum: momentum factor :math:`\\mu` (default 0).
        dampening: dampening :math:`\\tau` of the momentum (default 0).
        weight_decay: L2 penalty :math:`\\lambda` (default 0).
        nesterov: use Nesterov momentum (default False).
        maximize: ascend instead of descend (default False).

    Example:
        >>> optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(x), y).backward()
        >>> optimizer.step()
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        *,
        maximize=False,
    ):
        if lr is not required:
            check_nonnegative(lr=lr)
        check_nonnegative(momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={momentum}, dampening={dampening})"
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, momentum = group["lr"], group["momentum"]
        dampening, weight_decay = group["dampening"], group["weight_decay"]
        for p, theta, g in self._gradients(group):
            if weight_decay != 0:
                g = g + weight_decay * theta
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    state["momentum_buffer"] = buf = chainrule.zeros_like(p.data)
                    buf._data[...] = g  # a copy of the first gradient
                    b = g
                else:
                    b = buf._data
                    b *= momentum
                    b += (1 - dampening) * g
                g = g + momentum * b if group["nesterov"] else b
            theta -= lr * g
