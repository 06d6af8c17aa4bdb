"""Recurrent layers, one row per layer and direction: all time steps of an Elman RNN, an
LSTM or a GRU, forward and backward through time, in one node.

Why one row for a whole layer instead of a graph of per-step ops: the engine's nodes have
one output, so reading step ``t`` of the input projection would be a ``SelectBackward0``
per step whose gradient is a full-size array (O(T²) memory traffic), and each step would
cost a dozen nodes of Python overhead.  Here the input projection of every step is one
GEMM, each step is one GEMM plus a few in-place elementwise ops on preallocated buffers,
and the backward pass (BPTT) is one GEMM per step plus one GEMM per weight.

Layout.  ``x`` is ``(T, N, I)``; the gates of ``w_ih`` ``(G·H, I)`` and ``w_hh``
``(G·H, H)`` are stacked in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n).  The output
holds the hidden states in time order with the initial state at the end the recurrence
starts from, so that both "every h" and "every previous h" are contiguous slices:

    forward  direction: out[0] = h₀, out[1 + t] = h_t    (t = 0 … T−1)
    reverse  direction: out[t] = h_t, out[T] = h₀
    LSTM only:          out[T + 1] = c_n               (shape (T + 2, N, H))

Gates: σ(z) = (1 + tanh(z/2)) / 2, so one ``tanh`` over all gates of a step (with the
sigmoid gates' pre-activations halved by scaling their weight rows once) gives every
activation; the derivative is taken from the activation a: σ' = a(1 − a), tanh' = 1 − a².

Intermediates (gate activations, cell states) are kept between forward and backward in a
per-call ``_Saved`` record passed as a parameter; their buffers come from, and return to,
the scratch pool (ops/_pool.py), because a fresh multi-megabyte array costs its page
faults on every call (measured: about as much as the GEMMs themselves at hidden 128).
After a backward pass without ``retain_graph`` the intermediates are gone; a second pass
recomputes them.

Gradients of gradients (``create_graph=True``) and forward-mode tangents differentiate
the same recurrence recomputed step by step from recorded Tensor ops (``_recurrence``):
slower than the fused rows, and only needed for those.
"""

from .._grad_mode import forward_level, grad_enabled
from ._pool import give, take
from ._registry import OpDef, apply
from ._xp import tensor_xp
from .shape import stack


class _Saved:
    """What one call's forward keeps for its backward: which inputs need a gradient and
    the private intermediate buffers (``None`` once a backward pass consumed them)."""

    __slots__ = ("needs", "buffers")

    def __init__(self, needs):
        self.needs = needs
        self.buffers = None

    def pop(self):
        buffers, self.buffers = self.buffers, None
        return buffers


_GATE_VECTORS = {}  # (backend, values, hidden, dtype) -> read-only vector


def _gate_vectors(xp, values, hidden, dtype):
    """A length ``len(values)·hidden`` vector holding ``values[k]`` over gate k's block
    (cached: the formulas only read it)."""
    key = (xp, values, hidden, dtype)
    v = _GATE_VECTORS.get(key)
    if v is None:
        v = xp.empty(len(values) * hidden, dtype=dtype)
        for k, value in enumerate(values):
            v[k * hidden : (k + 1) * hidden] = value
        _GATE_VECTORS[key] = v
    return v


# Below this many rows of per-step GEMMs (steps · batch), W_hhᵀ is used as a transposed
# view and the gates' scale is applied per step; above, one contiguous copy with the scale
# folded into its rows pays off (it costs about 1.5 steps' GEMM time at batch 32).
_FOLD_ROWS = 64


def _weights(xp, w_ih, w_hh, scale, steps, batch):
    """``(W_ih, W_hhᵀ, folded)``: with ``folded`` the gate ``scale`` is already in both."""
    if steps * batch < _FOLD_ROWS:
        return w_ih, w_hh.T, False
    if scale is None:
        return w_ih, xp.ascontiguousarray(w_hh.T), True
    column = scale[:, None]
    return w_ih * column, xp.ascontiguousarray((w_hh * column).T), True


def _project(xp, x, w_ih, bias, buffer):
    """``buffer ← x W_ihᵀ + bias`` for every step at once: one GEMM."""
    steps, batch = x.shape[0], x.shape[1]
    flat = buffer.reshape(steps * batch, buffer.shape[2])
    xp.matmul(x.reshape(steps * batch, x.shape[2]), w_ih.T, out=flat)
    flat += bias


def _slots(steps, reverse):
    """Time step t reads the state at ``t + reverse`` and writes it at ``t + 1 − reverse``;
    the initial state sits at 0 (forward) or T (reverse)."""
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    return order, (steps if reverse else 0)


def _previous_states(out, steps, reverse):
    """The states each time step started from, in time order: a contiguous (T, N, H)."""
    return out[1 : steps + 1] if reverse else out[0:steps]


def _step_grads(g, steps, reverse):
    return g[0:steps] if reverse else g[1 : steps + 1]


def _weight_grads(xp, needs, d_ih, d_hh, x, w_ih, prev):
    """∂x, ∂W_ih, ∂W_hh, ∂b_ih, ∂b_hh from the pre-activation gradients of every step
    (``d_ih`` for the input projection, ``d_hh`` for the hidden one), one GEMM each."""
    steps, batch, inputs = x.shape
    gates = d_ih.shape[2]
    flat_ih = d_ih.reshape(steps * batch, gates)
    flat_hh = flat_ih if d_hh is d_ih else d_hh.reshape(steps * batch, gates)
    dx = xp.matmul(flat_ih, w_ih).reshape(x.shape) if needs[0] else None
    dw_ih = xp.matmul(flat_ih.T, x.reshape(steps * batch, inputs)) if needs[-4] else None
    dw_hh = xp.matmul(flat_hh.T, prev.reshape(steps * batch, prev.shape[2])) if needs[-3] else None
    db_ih = flat_ih.sum(axis=0) if needs[-2] else None
    if not needs[-1]:
        db_hh = None
    elif db_ih is not None and flat_hh is flat_ih:
        db_hh = db_ih.copy()  # the same sum: both biases enter every pre-activation
    else:
        db_hh = flat_hh.sum(axis=0)
    return dx, dw_ih, dw_hh, db_ih, db_hh


# ---------------------------------------------------------------- the same maths, recorded
def _recurrence(kind, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """A layer row's packed output recomputed from differentiable Tensor ops, one step at
    a time: what gradients of gradients and forward mode differentiate (the fused rows
    are the fast path of the same maths).  ``kind``: 'tanh', 'relu', 'lstm' or 'gru'."""
    steps, hidden = x.shape[0], w_hh.shape[1]
    order, start = _slots(steps, reverse)
    proj = x @ w_ih.T + b_ih  # every step's input projection
    states = [None] * (steps + 1)
    states[start] = h = h0
    c = c0
    for t in order:
        rec = h @ w_hh.T + b_hh
        if kind == "lstm":  # gates i, f, g, o
            pre = proj[t] + rec
            gate = [pre[:, k * hidden : (k + 1) * hidden] for k in range(4)]
            c = gate[1].sigmoid() * c + gate[0].sigmoid() * gate[2].tanh()
            h = gate[3].sigmoid() * c.tanh()
        elif kind == "gru":  # r, z from both projections; n with r on the hidden one
            rz = (proj[t][:, : 2 * hidden] + rec[:, : 2 * hidden]).sigmoid()
            r, z = rz[:, :hidden], rz[:, hidden:]
            n = (proj[t][:, 2 * hidden :] + r * rec[:, 2 * hidden :]).tanh()
            h = n + z * (h - n)
        else:
            pre = proj[t] + rec
            h = pre.relu() if kind == "relu" else pre.tanh()
        states[t + 1 - reverse] = h
    if kind == "lstm":
        states.append(c)
    return stack(states, 0)


def _split(kind, tensors):
    """(x, h0, c0, w_ih, w_hh, b_ih, b_hh) from a row's inputs (c0 only for the LSTM)."""
    if kind == "lstm":
        return tensors
    x, h0, *weights = tensors
    return (x, h0, None, *weights)


def _recorded_grads(kind, g, tensors, reverse, needs):
    """The row's input gradients under ``create_graph``: the recurrence recomputed as a
    recorded graph on the saved inputs and differentiated with a graph of its own."""
    from ..autograd.engine import run_backward

    out = _recurrence(kind, *_split(kind, tensors), reverse)
    wanted = [t for t, need in zip(tensors, needs) if need]
    found = iter(run_backward([out], [g], True, True, inputs=wanted, accumulate=False))
    return [next(found) if need else None for need in needs]


def _recurrence_tangent(kind):
    """The row's tangent rule: the recurrence recomputed with the inputs' tangents riding
    along (forward mode is switched off while a rule runs; it is switched back on here)."""

    def jvp(xp, tangents, *args):
        *tensors, out, reverse, saved = args
        forward_level[0] = 1
        try:
            return _recurrence(kind, *_split(kind, tensors), reverse)._fw_grad
        finally:
            forward_level[0] = 0

    return jvp


# ---------------------------------------------------------------- Elman RNN
def _rnn_forward(xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu, saved):
    """h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), act = tanh or relu."""
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    out = xp.empty((steps + 1, batch, hidden), dtype=x.dtype)
    order, start = _slots(steps, reverse)
    w_ih, w_rec, _ = _weights(xp, w_ih, w_hh, None, steps, batch)
    _project(xp, x, w_ih, b_ih + b_hh, out[0:steps] if reverse else out[1:])
    out[start] = h0
    tmp = xp.empty((batch, hidden), dtype=x.dtype)
    for t in order:
        h = out[t + 1 - reverse]
        xp.matmul(out[t + reverse], w_rec, out=tmp)
        h += tmp
        if relu:
            xp.maximum(h, 0, out=h)
        else:
            xp.tanh(h, out=h)
    return out


def _rnn_grads(xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, relu, saved):
    if xp is tensor_xp:
        tensors = (x, h0, w_ih, w_hh, b_ih, b_hh)
        return _recorded_grads("relu" if relu else "tanh", g, tensors, reverse, saved.needs)
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    order, start = _slots(steps, reverse)
    d_pre = take(xp, (steps, batch, hidden), x.dtype)
    gy = _step_grads(g, steps, reverse)
    dh = xp.zeros((batch, hidden), dtype=x.dtype)
    tmp = xp.empty((batch, hidden), dtype=x.dtype)
    for t in reversed(order):
        h = out[t + 1 - reverse]
        dh += gy[t]
        if relu:  # relu' = [h > 0]
            xp.greater(h, 0, out=tmp)
        else:  # tanh' = 1 − h²
            xp.multiply(h, h, out=tmp)
            xp.subtract(1, tmp, out=tmp)
        xp.multiply(dh, tmp, out=d_pre[t])
        xp.matmul(d_pre[t], w_hh, out=dh)  # ∂h_{t−1} = ∂pre_t · W_hh
    dh0 = dh + g[start] if saved.needs[1] else None
    prev = _previous_states(out, steps, reverse)
    dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(xp, saved.needs, d_pre, d_pre, x, w_ih, prev)
    give(xp, d_pre)
    return [dx, dh0, dw_ih, dw_hh, db_ih, db_hh]


RNN_TANH_LAYER = OpDef(
    "RnnTanhLayerBackward0",
    lambda xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, saved: _rnn_forward(
        xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, False, saved
    ),
    saves=(0, 1, 2, 3, 4, 5),
    saves_out=True,
    params=("reverse", "saved"),
    multi=True,
    jvp=_recurrence_tangent("tanh"),
    grads=[
        lambda xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, saved: _rnn_grads(
            xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, False, saved
        )
    ],
)
RNN_RELU_LAYER = OpDef(
    "RnnReluLayerBackward0",
    lambda xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, saved: _rnn_forward(
        xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, True, saved
    ),
    saves=(0, 1, 2, 3, 4, 5),
    saves_out=True,
    params=("reverse", "saved"),
    multi=True,
    jvp=_recurrence_tangent("relu"),
    grads=[
        lambda xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, saved: _rnn_grads(
            xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, True, saved
        )
    ],
)


# ---------------------------------------------------------------- LSTM
def _lstm_forward(xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, saved):
    """i, f, o = σ(·), g = tanh(·) of x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh (gate blocks);
    c_t = f c_{t−1} + i g;  h_t = o tanh(c_t)."""
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    dt = x.dtype
    scale = _gate_vectors(xp, (0.5, 0.5, 1.0, 0.5), hidden, dt)  # z/2 for the σ gates
    shift = _gate_vectors(xp, (0.5, 0.5, 0.0, 0.5), hidden, dt)  # σ = tanh(z/2)/2 + 1/2
    acts = take(xp, (steps, batch, 4 * hidden), dt)  # pre-activations, then activations
    cells = take(xp, (steps + 1, batch, hidden), dt)  # c, laid out like the h in out
    tanh_c = take(xp, (steps, batch, hidden), dt)  # tanh(c_t), in time order
    w_in, w_rec, folded = _weights(xp, w_ih, w_hh, scale, steps, batch)
    _project(xp, x, w_in, (b_ih + b_hh) * scale if folded else b_ih + b_hh, acts)
    out = xp.empty((steps + 2, batch, hidden), dtype=dt)
    order, start = _slots(steps, reverse)
    out[start] = h0
    cells[start] = c0
    h1, h2, h3 = hidden, 2 * hidden, 3 * hidden
    pre = xp.empty((batch, 4 * hidden), dtype=dt)
    ig = xp.empty((batch, hidden), dtype=dt)
    for t in order:
        p, n = t + reverse, t + 1 - reverse
        a = acts[t]
        xp.matmul(out[p], w_rec, out=pre)
        a += pre
        if not folded:
            a *= scale
        xp.tanh(a, out=a)
        a *= scale
        a += shift  # a = [i, f, g, o]
        c = cells[n]
        xp.multiply(a[:, h1:h2], cells[p], out=c)
        xp.multiply(a[:, :h1], a[:, h2:h3], out=ig)
        c += ig
        xp.tanh(c, out=tanh_c[t])
        xp.multiply(a[:, h3:], tanh_c[t], out=out[n])
    out[steps + 1] = cells[steps - start]
    if saved is None:
        give(xp, acts, cells, tanh_c)
    else:
        saved.buffers = (acts, cells, tanh_c)
    return out


def _lstm_grads(xp, g, x, h0, c0, w_ih, w_hh, b_ih, b_hh, out, reverse, saved):
    if xp is tensor_xp:
        tensors = (x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        return _recorded_grads("lstm", g, tensors, reverse, saved.needs)
    buffers = saved.pop()
    if buffers is None:  # a second backward pass (retain_graph): recompute the forward
        again = _Saved(saved.needs)
        _lstm_forward(xp, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse, again)
        buffers = again.pop()
    acts, cells, tanh_c = buffers
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    dt = x.dtype
    h1, h2, h3 = hidden, 2 * hidden, 3 * hidden
    # activation derivative from the activation a: a(γ − a) + δ = a(1 − a) for σ, 1 − a² for tanh
    gamma = _gate_vectors(xp, (1.0, 1.0, 0.0, 1.0), hidden, dt)
    delta = _gate_vectors(xp, (0.0, 0.0, 1.0, 0.0), hidden, dt)
    d_pre = take(xp, (steps, batch, 4 * hidden), dt)
    order, start = _slots(steps, reverse)
    gy = _step_grads(g, steps, reverse)
    dh = xp.zeros((batch, hidden), dtype=dt)
    dc = g[steps + 1].copy()  # ∂c_n
    tmp = xp.empty((batch, hidden), dtype=dt)
    deriv = xp.empty((batch, 4 * hidden), dtype=dt)
    for t in reversed(order):
        p = t + reverse
        a, d, tc = acts[t], d_pre[t], tanh_c[t]
        dh += gy[t]
        xp.multiply(dh, tc, out=d[:, h3:])  # ∂o = ∂h tanh(c)
        xp.multiply(tc, tc, out=tmp)
        xp.subtract(1, tmp, out=tmp)
        tmp *= a[:, h3:]
        tmp *= dh
        dc += tmp  # ∂c += ∂h o (1 − tanh²c)
        xp.multiply(dc, a[:, h2:h3], out=d[:, :h1])  # ∂i = ∂c g
        xp.multiply(dc, cells[p], out=d[:, h1:h2])  # ∂f = ∂c c_{t−1}
        xp.multiply(dc, a[:, :h1], out=d[:, h2:h3])  # ∂g = ∂c i
        dc *= a[:, h1:h2]  # ∂c_{t−1} = ∂c f
        xp.subtract(gamma, a, out=deriv)
        deriv *= a
        deriv += delta
        d *= deriv  # through the activations to the pre-activations
        xp.matmul(d, w_hh, out=dh)  # ∂h_{t−1} = ∂pre W_hh
    needs = saved.needs
    dh0 = dh + g[start] if needs[1] else None
    dc0 = dc if needs[2] else None
    prev = _previous_states(out, steps, reverse)
    dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(xp, needs, d_pre, d_pre, x, w_ih, prev)
    give(xp, acts, cells, tanh_c, d_pre)
    return [dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh]


LSTM_LAYER = OpDef(
    "LstmLayerBackward0",
    _lstm_forward,
    saves=(0, 1, 2, 3, 4, 5, 6),
    saves_out=True,
    params=("reverse", "saved"),
    multi=True,
    jvp=_recurrence_tangent("lstm"),
    grads=[_lstm_grads],
)


# ---------------------------------------------------------------- GRU
def _gru_forward(xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, saved):
    """r, z = σ(x_t W_iᵀ + b_i + h_{t−1} W_hᵀ + b_h) (their blocks);
    n = tanh(x_t W_inᵀ + b_in + r (h_{t−1} W_hnᵀ + b_hn));  h_t = (1 − z) n + z h_{t−1}."""
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    dt = x.dtype
    h1, h2 = hidden, 2 * hidden
    scale = _gate_vectors(xp, (0.5, 0.5, 1.0), hidden, dt)
    acts = take(xp, (steps, batch, 3 * hidden), dt)  # x-projection, then [r, z, n]
    hproj = take(xp, (steps, batch, 3 * hidden), dt)  # h_{t−1} W_hhᵀ + b_hh (r, z scaled)
    w_in, w_rec, folded = _weights(xp, w_ih, w_hh, scale, steps, batch)
    _project(xp, x, w_in, b_ih * scale if folded else b_ih, acts)
    b_rec = b_hh * scale if folded else b_hh
    out = xp.empty((steps + 1, batch, hidden), dtype=dt)
    order, start = _slots(steps, reverse)
    out[start] = h0
    tmp = xp.empty((batch, hidden), dtype=dt)
    for t in order:
        p, n = t + reverse, t + 1 - reverse
        a, hp = acts[t], hproj[t]
        xp.matmul(out[p], w_rec, out=hp)
        hp += b_rec
        rz = a[:, :h2]
        rz += hp[:, :h2]
        if not folded:
            rz *= 0.5
        xp.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5  # r, z
        xp.multiply(a[:, :h1], hp[:, h2:], out=tmp)
        a[:, h2:] += tmp
        xp.tanh(a[:, h2:], out=a[:, h2:])  # n
        xp.subtract(out[p], a[:, h2:], out=tmp)
        tmp *= a[:, h1:h2]
        xp.add(a[:, h2:], tmp, out=out[n])  # h = n + z (h_{t−1} − n)
    if saved is None:
        give(xp, acts, hproj)
    else:
        saved.buffers = (acts, hproj)
    return out


def _gru_grads(xp, g, x, h0, w_ih, w_hh, b_ih, b_hh, out, reverse, saved):
    if xp is tensor_xp:
        tensors = (x, h0, w_ih, w_hh, b_ih, b_hh)
        return _recorded_grads("gru", g, tensors, reverse, saved.needs)
    buffers = saved.pop()
    if buffers is None:
        again = _Saved(saved.needs)
        _gru_forward(xp, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, again)
        buffers = again.pop()
    acts, hproj = buffers
    steps, batch = x.shape[0], x.shape[1]
    hidden = w_hh.shape[1]
    dt = x.dtype
    h1, h2 = hidden, 2 * hidden
    d_ih = take(xp, (steps, batch, 3 * hidden), dt)  # ∂ of the x-projection (+ b_ih)
    d_hh = take(xp, (steps, batch, 3 * hidden), dt)  # ∂ of the h-projection (+ b_hh)
    order, start = _slots(steps, reverse)
    gy = _step_grads(g, steps, reverse)
    dh = xp.zeros((batch, hidden), dtype=dt)
    tmp = xp.empty((batch, hidden), dtype=dt)
    deriv = xp.empty((batch, 2 * hidden), dtype=dt)
    for t in reversed(order):
        p = t + reverse
        a, di, dhh = acts[t], d_ih[t], d_hh[t]
        r, z, nn = a[:, :h1], a[:, h1:h2], a[:, h2:]
        dh += gy[t]
        xp.subtract(out[p], nn, out=di[:, h1:h2])
        di[:, h1:h2] *= dh  # ∂z = ∂h (h_{t−1} − n)
        xp.subtract(1, z, out=tmp)
        tmp *= dh  # ∂n = ∂h (1 − z)
        xp.multiply(nn, nn, out=di[:, h2:])
        xp.subtract(1, di[:, h2:], out=di[:, h2:])
        di[:, h2:] *= tmp  # ∂pre_n = ∂n (1 − n²)
        xp.multiply(di[:, h2:], r, out=dhh[:, h2:])  # ∂(h W_hnᵀ + b_hn) = ∂pre_n r
        xp.multiply(di[:, h2:], hproj[t][:, h2:], out=di[:, :h1])  # ∂r = ∂pre_n (h W_hnᵀ + b_hn)
        xp.subtract(1, a[:, :h2], out=deriv)
        deriv *= a[:, :h2]
        di[:, :h2] *= deriv  # σ' = a (1 − a) for r and z
        dhh[:, :h2] = di[:, :h2]
        dh *= z  # ∂h_{t−1} = ∂h z + ∂(h-projection) W_hh
        xp.matmul(dhh, w_hh, out=tmp)
        dh += tmp
    needs = saved.needs
    dh0 = dh + g[start] if needs[1] else None
    prev = _previous_states(out, steps, reverse)
    dx, dw_ih, dw_hh, db_ih, db_hh = _weight_grads(xp, needs, d_ih, d_hh, x, w_ih, prev)
    give(xp, acts, hproj, d_ih, d_hh)
    return [dx, dh0, dw_ih, dw_hh, db_ih, db_hh]


GRU_LAYER = OpDef(
    "GruLayerBackward0",
    _gru_forward,
    saves=(0, 1, 2, 3, 4, 5),
    saves_out=True,
    params=("reverse", "saved"),
    multi=True,
    jvp=_recurrence_tangent("gru"),
    grads=[_gru_grads],
)


# ---------------------------------------------------------------- public functions
def _run(op, tensors, reverse):
    saved = None
    if grad_enabled[0]:
        needs = tuple(t._requires_grad for t in tensors)
        if any(needs):
            saved = _Saved(needs)
    return apply(op, tensors, (bool(reverse), saved))


def rnn_layer(input, hx, w_ih, w_hh, b_ih, b_hh, reverse=False, nonlinearity="tanh"):
    """One direction of one Elman RNN layer over a whole sequence.

    Args:
        input: ``(T, N, I)``; hx: ``(N, H)``; w_ih ``(H, I)``, w_hh ``(H, H)``, b_ih and
            b_hh ``(H,)``, all of one floating dtype.
        reverse: run from the last step to the first.
        nonlinearity: ``'tanh'`` or ``'relu'``.

    Returns:
        ``(T + 1, N, H)``: the hidden states and h₀ (see the module docstring's layout).
    """
    op = RNN_RELU_LAYER if nonlinearity == "relu" else RNN_TANH_LAYER
    return _run(op, (input, hx, w_ih, w_hh, b_ih, b_hh), reverse)


def lstm_layer(input, hx, cx, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """One direction of one LSTM layer over a whole sequence; weights ``(4H, ·)``.

    Returns:
        ``(T + 2, N, H)``: the hidden states, h₀, and c_n last.
    """
    return _run(LSTM_LAYER, (input, hx, cx, w_ih, w_hh, b_ih, b_hh), reverse)


def gru_layer(input, hx, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """One direction of one GRU layer over a whole sequence; weights ``(3H, ·)``.

    Returns:
        ``(T + 1, N, H)``: the hidden states and h₀.
    """
    return _run(GRU_LAYER, (input, hx, w_ih, w_hh, b_ih, b_hh), reverse)
