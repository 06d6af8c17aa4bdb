"""``ASGD``: averaged stochastic gradient descent."""

import chainrule
from chainrule.optim._common import check_flags, check_nonnegative, scalar_state
from chainrule.optim.optimizer import Optimizer


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992), PyTorch's update rule to the digit.

    At step :math:`t`, with :math:`\\eta` and :math:`\\mu` from the previous step
    (:math:`\\eta_0 = \\gamma`, :math:`\\mu_0 = 1`):

    .. math::
        g &\\leftarrow g + \\lambda_w\\theta \\quad\\text{(weight decay)} \\\\
        \\theta &\\leftarrow (1 - \\lambda\\eta)\\,\\theta - \\eta g \\\\
        \\bar\\theta &\\leftarrow \\bar\\theta + \\mu(\\theta - \\bar\\theta)
            \\quad(\\bar\\theta \\leftarrow \\theta \\text{ while } \\mu = 1) \\\\
        \\eta &\\leftarrow \\gamma / (1 + \\lambda\\gamma t)^{\\alpha}, \\qquad
            \\mu \\leftarrow 1 / \\max(1, t - t_0)

    The average :math:`\\bar\\theta` is ``optimizer.state[p]["ax"]``; :math:`\\eta` and
    :math:`\\mu` are kept as 0-d tensors in PyTorch's scalar dtype (float32 unless the
    default dtype is float64), so they round as PyTorch's do.

    Args:
        params: parameters or parameter groups to optimise.
        lr: learning rate :math:`\\gamma` (default 1e-2).
        lambd: decay term :math:`\\lambda` (default 1e-4).
        alpha: power :math:`\\alpha` of the rate's decay (default 0.75).
        t0: the step :math:`t_0` at which averaging starts (default 1e6).
        weight_decay: :math:`\\lambda_w` (default 0).
        foreach, maximize, differentiable, capturable: PyTorch's flags; ``foreach`` changes
            nothing here, ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        check_nonnegative(lr=lr, weight_decay=weight_decay)
        check_flags("ASGD", capturable, differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        weight_decay = group["weight_decay"]
        for p, theta, g in self._gradients(group):
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["eta"] = scalar_state(lr)
                state["mu"] = scalar_state(1.0)
                state["ax"] = chainrule.zeros_like(p.data)
            state["step"] += 1.0
            step = state["step"]
            if weight_decay != 0:
                g = g + weight_decay * theta
            eta = state["eta"].item()
            theta *= 1 - lambd * eta
            theta -= eta * g
            ax = state["ax"]._data
            if state["mu"].item() != 1:
                ax += (theta - ax) * state["mu"].item()
            else:
                ax[...] = theta
            state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
            state["mu"]._data[...] = 1 / max(1, step - t0)
