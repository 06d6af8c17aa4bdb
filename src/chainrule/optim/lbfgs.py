"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search.

The algorithm and its stopping rules are PyTorch's (itself after minFunc), so its iterates
match PyTorch's; the arithmetic runs on one flat NumPy vector of all parameters, and the
scalars stay NumPy scalars of the parameters' dtype, as PyTorch's 0-d tensors do.
"""

import numpy as np

import chainrule
from chainrule import Tensor
from chainrule.optim.optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS: a quasi-Newton method that builds an inverse-Hessian estimate from the last
    ``history_size`` steps :math:`s_k = x_{k+1} - x_k` and gradient changes
    :math:`y_k = g_{k+1} - g_k`.

    Each iteration takes the direction :math:`d = -H g` (two-loop recursion, starting from
    :math:`H_0 = \\frac{s^\\top y}{y^\\top y} I`; a pair is kept only when
    :math:`s^\\top y > 10^{-10}`) and moves :math:`x \\leftarrow x + t\\, d`: with a fixed
    :math:`t` = ``lr`` (the first iteration :math:`\\min(1, 1/\\|g\\|_1) \\cdot` lr), or, with
    ``line_search_fn='strong_wolfe'``, a :math:`t` that satisfies the strong Wolfe conditions
    (:math:`c_1 = 10^{-4}, c_2 = 0.9`).

    ``step(closure)`` runs up to ``max_iter`` iterations and ``max_eval`` evaluations of the
    closure; it stops early when :math:`\\|g\\|_\\infty \\le` ``tolerance_grad``, or when the
    step or the change in loss falls below ``tolerance_change``.  There must be one parameter
    group only.

    Args:
        params: the parameters to optimise.
        lr: the step length (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient entry is at most this (default 1e-7).
        tolerance_change: stop when the loss or parameters change less (default 1e-9).
        history_size: how many :math:`(s, y)` pairs to keep (default 100).
        line_search_fn: ``None`` or ``'strong_wolfe'``.

    Example:
        >>> optimizer = optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     optimizer.zero_grad()
        ...     loss = loss_fn(model(x), y)
        ...     loss.backward()
        ...     return loss
        >>> optimizer.step(closure)
    """

    def __init__(
        self,
        params,
        lr=1,
        max_iter=20,
        max_eval=None,
        tolerance_grad=1e-7,
        tolerance_change=1e-9,
        history_size=100,
        line_search_fn=None,
    ):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError(f"Tensor lr must be 1-element, got shape {tuple(lr.shape)}")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr} (it must be >= 0)")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------ the flat parameter vector

    def _flat_grad(self):
        """All gradients as one vector (zeros for a parameter without a gradient)."""
        parts = [
            p.grad._data.reshape(-1) if p.grad is not None else np.zeros(p.numel(), p._data.dtype)
            for p in self._params
        ]
        return np.concatenate(parts)

    def _move(self, t, d):
        """:math:`x \\leftarrow x + t\\, d`, in place on every parameter."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[offset : offset + n].reshape(p._data.shape)
            p._bump_version()
            offset += n

    def _restore(self, arrays):
        for p, array in zip(self._params, arrays):
            p._data[...] = array
            p._bump_version()

    def _evaluate(self, closure):
        """Run the closure (recording on) and return its loss as a float and the gradient."""
        with chainrule.enable_grad():
            loss = closure()
        return _to_float(loss), self._flat_grad()

    # ------------------------------------------------------------ one step

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` must zero the gradients,
        compute the loss, call ``backward`` and return the loss.  Returns the first loss."""
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that re-evaluates the loss")
        group = self.param_groups[0]
        lr = group["lr"].item() if isinstance(group["lr"], Tensor) else group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # The state is global; PyTorch keeps it under the first parameter.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with chainrule.enable_grad():
            orig_loss = closure()
        with chainrule.no_grad():
            loss = _to_float(orig_loss)
            evals = 1
            state["func_evals"] += 1
            g = self._flat_grad()
            if np.abs(g).max() <= tolerance_grad:
                return orig_loss

            mem = _Memory.load(state, history_size)
            d, t, prev_g, prev_loss = mem.d, mem.t, mem.prev_g, mem.prev_loss
            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1

                # direction: steepest descent first, then the two-loop recursion
                if state["n_iter"] == 1:
                    d = -g
                    mem.reset()
                else:
                    mem.push(g - prev_g, d * t)
                    d = mem.direction(g)
                prev_g, prev_loss = g, loss

                # initial step length, and the slope along d
                t = min(1.0, 1.0 / np.abs(g).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = g.dot(d)
                if gtd > -tolerance_change:
                    break

                if line_search_fn is not None:
                    if line_search_fn != "strong_wolfe":
                        raise RuntimeError(
                            f"LBFGS: only 'strong_wolfe' is supported, got "
                            f"line_search_fn={line_search_fn!r}"
                        )
                    start = [p._data.copy() for p in self._params]

                    def along(step_len, start=start, d=d):
                        self._move(step_len, d)
                        result = self._evaluate(closure)
                        self._restore(start)
                        return result

                    loss, g, t, ls_evals = _strong_wolfe(
                        along, t, d, loss, g, gtd, tolerance_change, max_eval - evals
                    )
                    self._move(t, d)
                    converged = np.abs(g).max() <= tolerance_grad
                else:
                    self._move(t, d)
                    ls_evals = 0
                    if n_iter != max_iter:  # the last iteration's loss is not needed
                        loss, g = self._evaluate(closure)
                        converged = np.abs(g).max() <= tolerance_grad
                        ls_evals = 1
                evals += ls_evals
                state["func_evals"] += ls_evals

                if n_iter == max_iter or evals >= max_eval or converged:
                    break
                if np.abs(d * t).max() <= tolerance_change:
                    break
                if abs(loss - prev_loss) < tolerance_change:
                    break

            mem.d, mem.t, mem.prev_g, mem.prev_loss = d, t, prev_g, prev_loss
            mem.save(state)
        return orig_loss


class _Memory:
    """The L-BFGS history: pairs :math:`(y_k, s_k)`, :math:`\\rho_k = 1 / y_k^\\top s_k`, the
    initial scale :math:`H_0`, and the last direction, step, gradient and loss."""

    def __init__(self, history_size):
        self.history_size = history_size
        self.old_dirs, self.old_stps, self.ro, self.al = [], [], [], [None] * history_size
        self.H_diag = 1
        self.d = self.t = self.prev_g = self.prev_loss = None

    def reset(self):
        self.old_dirs, self.old_stps, self.ro = [], [], []
        self.H_diag = 1

    def push(self, y, s):
        """Keep the pair when the curvature :math:`y^\\top s` is positive enough."""
        ys = y.dot(s)
        if ys > 1e-10:
            if len(self.old_dirs) == self.history_size:
                del self.old_dirs[0], self.old_stps[0], self.ro[0]
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(1.0 / ys)
            self.H_diag = ys / y.dot(y)

    def direction(self, g):
        """:math:`-H g` by the two-loop recursion."""
        al = self.al
        q = -g
        for i in range(len(self.old_dirs) - 1, -1, -1):
            al[i] = self.old_stps[i].dot(q) * self.ro[i]
            q -= al[i] * self.old_dirs[i]
        r = q * self.H_diag
        for i in range(len(self.old_dirs)):
            be_i = self.old_dirs[i].dot(r) * self.ro[i]
            r += (al[i] - be_i) * self.old_stps[i]
        return r

    # The state dict holds chainrule tensors (vectors and 0-d scalars), as PyTorch's does.
    @classmethod
    def load(cls, state, history_size):
        mem = cls(history_size)
        if "d" not in state:
            return mem
        mem.d, mem.prev_g = _array(state["d"]), _array(state["prev_flat_grad"])
        mem.t, mem.H_diag = _array(state["t"]), _array(state["H_diag"])
        mem.old_dirs = [_array(v) for v in state["old_dirs"]]
        mem.old_stps = [_array(v) for v in state["old_stps"]]
        mem.ro = [_array(v) for v in state["ro"]]
        mem.al = [None if v is None else _array(v) for v in state.get("al", mem.al)]
        mem.prev_loss = state["prev_loss"]
        return mem

    def save(self, state):
        state["d"], state["t"] = _tensor(self.d), _tensor(self.t)
        state["old_dirs"] = [_tensor(v) for v in self.old_dirs]
        state["old_stps"] = [_tensor(v) for v in self.old_stps]
        state["ro"] = [_tensor(v) for v in self.ro]
        state["al"] = [None if v is None else _tensor(v) for v in self.al]
        state["H_diag"] = _tensor(self.H_diag)
        state["prev_flat_grad"] = _tensor(self.prev_g)
        state["prev_loss"] = self.prev_loss


def _tensor(value):
    """A NumPy array or scalar as a chainrule tensor; Python numbers stay as they are."""
    if isinstance(value, (np.ndarray, np.generic)):
        return chainrule.from_numpy(np.array(value))
    return value


def _array(value):
    """Back from :func:`_tensor`: vectors to arrays, 0-d tensors to NumPy scalars."""
    if isinstance(value, Tensor):
        return value._data.copy() if value.ndim else value._data[()]
    return value


def _to_float(loss):
    return loss.item() if isinstance(loss, Tensor) else float(loss)


def _cubic_min(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through :math:`(x_1, f_1, f'_1)` and :math:`(x_2, f_2,
    f'_2)`, clipped to ``bounds`` (default: the interval between the points); the midpoint
    when the cubic has no minimum.

    .. math:: d_1 = g_1 + g_2 - 3\\frac{f_1 - f_2}{x_1 - x_2}, \\quad
        d_2 = \\sqrt{d_1^2 - g_1 g_2}, \\quad
        x = x_2 - (x_2 - x_1)\\frac{g_2 + d_2 - d_1}{g_2 - g_1 + 2 d_2}
    """
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(along, t, d, f, g, gtd, tolerance_change, max_ls, c1=1e-4, c2=0.9):
    """A step length along ``d`` meeting the strong Wolfe conditions

    .. math:: f(t) \\le f(0) + c_1 t f'(0), \\qquad |f'(t)| \\le -c_2 f'(0)

    found by bracketing then zooming with cubic interpolation (minFunc's ``WolfeLineSearch``).
    ``along(t)`` returns the loss and a fresh gradient vector at :math:`x + t d`.  Returns
    the loss and gradient at the chosen step, the step, and the number of evaluations.
    """
    d_norm = np.abs(d).max()
    f_new, g_new = along(t)
    evals = 1
    gtd_new = g_new.dot(d)

    # bracketing: grow t until an interval holds a point that satisfies the conditions
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate by cubic interpolation within [t + 0.01 (t - t_prev), 10 t]
        t_next = _cubic_min(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10)
        )
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = along(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies the conditions
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_min(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # A trial within 10% of the bracket's ends, twice running or outside it, moves to
        # 10% inside the nearer end, so that the bracket keeps shrinking.
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        f_new, g_new = along(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # not enough decrease: t becomes the high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the slope points back: the old low end becomes the high end
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new, gtd_new

    return bracket_f[low], bracket_g[low], bracket[low], evals
