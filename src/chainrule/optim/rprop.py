"""``Rprop``: resilient backpropagation, steps from the signs of the gradients alone."""

import chainrule
from chainrule._backend import namespace_of
from chainrule.optim._common import check_flags, check_nonnegative
from chainrule.optim.optimizer import Optimizer


class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun, 1993), PyTorch's update rule to the digit.

    Each coordinate keeps its own step size :math:`s` (starting at ``lr``) and its last
    gradient :math:`g'`:

    .. math::
        s &\\leftarrow \\operatorname{clamp}\\left(s \\cdot \\begin{cases}
            \\eta_+ & g g' > 0 \\\\ \\eta_- & g g' < 0 \\\\ 1 & g g' = 0 \\end{cases},
            \\; s_{min}, s_{max}\\right) \\\\
        g &\\leftarrow 0 \\text{ where } g g' < 0, \\qquad
            \\theta \\leftarrow \\theta - s \\operatorname{sign}(g), \\qquad g' \\leftarrow g

    Args:
        params: parameters or parameter groups to optimise.
        lr: the initial step size (default 1e-2).
        etas: :math:`(\\eta_-, \\eta_+)`, with :math:`0 < \\eta_- < 1 < \\eta_+`
            (default (0.5, 1.2)).
        step_sizes: :math:`(s_{min}, s_{max})` (default (1e-6, 50)).
        capturable, foreach, maximize, differentiable: PyTorch's flags; ``foreach`` changes
            nothing here, ``capturable`` and ``differentiable`` must stay False.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]} (need 0 < eta- < 1 < eta+)")
        check_flags("Rprop", capturable, differentiable)
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update(self, group):
        eta_minus, eta_plus = group["etas"]
        step_min, step_max = group["step_sizes"]
        for p, theta, g in self._gradients(group):
            xp = namespace_of(g)
            state = self.state[p]
            if not state:
                state["step"] = 0.0
                state["prev"] = chainrule.zeros_like(p.data)
                state["step_size"] = chainrule.full_like(p.grad, group["lr"])
            state["step"] += 1.0
            prev, s = state["prev"]._data, state["step_size"]._data
            agreement = g * prev
            factor = xp.where(agreement > 0, eta_plus, xp.where(agreement < 0, eta_minus, 1.0))
            factor = xp.asarray(factor, dtype=g.dtype)  # PyTorch keeps the factors in g's dtype
            s[...] = xp.clip(s * factor, step_min, step_max)
            g = xp.where(agreement < 0, 0.0, g)  # after a sign change, pause this coordinate
            theta -= xp.sign(g) * s
            prev[...] = g
