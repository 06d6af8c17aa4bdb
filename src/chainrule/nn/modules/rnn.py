"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step ``Cell`` versions.

The sequence layers run each layer and direction as one node of the op table
(``chainrule.ops.rnn_ops``: one GEMM for the input projection of every step, one GEMM per
step, backpropagation through time inside the node).  The cells are composites of
differentiable ops (``linear``, ``sigmoid``, ``tanh``), so they also give gradients of
gradients.  Parameter names, shapes, initialisation and state dicts are PyTorch's.
"""

import math
import numbers
import warnings

import chainrule
from chainrule.nn import functional as F
from chainrule.nn import init
from chainrule.nn.modules._packed_rnn import run_packed
from chainrule.nn.modules.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.ops import rnn_ops

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_size(value, name):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")


def _init_uniform(module):
    """Every weight and bias uniform in ±1/√hidden_size (PyTorch's default)."""
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


def _dtype_error(name, input, weight):
    return ValueError(
        f"{name} input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
        f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})"
    )


# --------------------------------------------------------------------------- cells (maths)
def rnn_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu."""
    pre = F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)
    return F.relu(pre) if nonlinearity == "relu" else chainrule.tanh(pre)


def lstm_cell(input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; returns ``(h', c')``.

    .. math::
        i, f, g, o = \\sigma, \\sigma, \\tanh, \\sigma\\,(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})
        \\qquad c' = f c + i g \\qquad h' = o \\tanh(c')
    """
    gates = F.linear(input, w_ih, b_ih) + F.linear(hx, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c = chainrule.sigmoid(f) * cx + chainrule.sigmoid(i) * chainrule.tanh(g)
    return chainrule.sigmoid(o) * chainrule.tanh(c), c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step.

    .. math::
        r, z = \\sigma(x W_{i\\cdot}^T + b_{i\\cdot} + h W_{h\\cdot}^T + b_{h\\cdot}) \\qquad
        n = \\tanh(x W_{in}^T + b_{in} + r (h W_{hn}^T + b_{hn})) \\qquad h' = (1 - z) n + z h
    """
    i_r, i_z, i_n = F.linear(input, w_ih, b_ih).chunk(3, 1)
    h_r, h_z, h_n = F.linear(hx, w_hh, b_hh).chunk(3, 1)
    r = chainrule.sigmoid(i_r + h_r)
    z = chainrule.sigmoid(i_z + h_z)
    n = chainrule.tanh(i_n + r * h_n)
    return n + z * (hx - n)


# --------------------------------------------------------------------------- sequence layers
class RNNBase(Module):
    """The parameters and the layer/direction loop shared by ``RNN``, ``LSTM`` and ``GRU``.

    Layer ``k`` and direction ``d`` own ``weight_ih_l{k}``, ``weight_hh_l{k}``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (suffix ``_reverse`` for the backward direction),
    the gates stacked along dim 0.  Layer ``k > 0`` reads the previous layer's output
    (both directions concatenated), with dropout in between in training mode.
    """

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability "
                "of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        _check_size(hidden_size, "hidden_size")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size:
            raise NotImplementedError(
                "LSTM: proj_size > 0 (LSTM with projections) is not implemented in chainrule; "
                "project the output with an nn.Linear instead"
            )
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else hidden_size * directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [(gate_size, layer_input), (gate_size, hidden_size)]
                names = [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += [f"bias_ih_l{layer}{suffix}", f"bias_hh_l{layer}{suffix}"]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(chainrule.empty(shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias uniform in ±1/√hidden_size."""
        _init_uniform(self)

    def flatten_parameters(self):
        """Does nothing: the weights are always used as they are (kept for cuDNN code)."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward helpers

    def _layer_weights(self, index):
        names = self._all_weights[index]
        weights = [getattr(self, name) for name in names]
        if not self.bias:
            w_ih = weights[0]
            zero = chainrule.zeros(w_ih.shape[0], dtype=w_ih.dtype)
            weights += [zero, zero]
        return weights

    def _prepare(self, input, states):
        """Check ``input`` and the initial ``states`` (a list of tensors or ``None``s) and
        bring them to ``(T, N, I)`` and ``(layers·directions, N, H)``."""
        name = type(self).__name__
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        batched = input.dim() == 3
        given = [s for s in states if s is not None]
        if given:
            dims = [s.dim() for s in given]
            want = 3 if batched else 2
            if any(d != want for d in dims):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                if len(states) == 2:
                    raise RuntimeError(
                        f"For {kind} input, hx and cx should also be {want}-D but got "
                        f"({dims[0]}-D, {dims[1]}-D) tensors"
                    )
                raise RuntimeError(
                    f"For {kind} input, hx should also be {want}-D but got {dims[0]}-D tensor"
                )
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
            states = [None if s is None else s.unsqueeze(1) for s in states]
        if self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        if steps == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if input.shape[2] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[2]}"
            )
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise _dtype_error("RNN", input, weight)
        return input, self._initial_states(states, batch, input.dtype), batched

    def _initial_states(self, states, batch, dtype):
        """The initial states, zeros where not given, each ``(layers·directions, N, H)``."""
        expected = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        prepared = []
        for k, s in enumerate(states):
            if s is None:
                s = chainrule.zeros(expected, dtype=dtype)
            elif tuple(s.shape) != expected:
                which = f"hidden[{k}]" if len(states) == 2 else "hidden"
                raise RuntimeError(f"Expected {which} size {expected}, got {list(s.shape)}")
            prepared.append(s)
        return prepared

    def _run(self, input, states):
        """Run every layer and direction; return the output and the final states."""
        steps = input.shape[0]
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                reverse = direction == 1
                initial = [s[index] for s in states]
                weights = self._layer_weights(index)
                packed = self._layer(layer_input, initial, weights, reverse)
                outputs.append(packed[0:steps] if reverse else packed[1 : steps + 1])
                finals[0].append(packed[0] if reverse else packed[steps])
                if len(states) == 2:
                    finals[1].append(packed[steps + 1])
            layer_input = outputs[0] if directions == 1 else chainrule.cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, [chainrule.stack(f, 0) for f in finals]

    def _forward(self, input, states):
        if isinstance(input, tuple) and hasattr(input, "batch_sizes"):  # a PackedSequence
            return run_packed(self, input, states)
        input, states, batched = self._prepare(input, states)
        output, finals = self._run(input, states)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            finals = [f.squeeze(1) for f in finals]
        return output, finals


class RNN(RNNBase):
    """Elman RNN: :math:`h_t = \\tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})`
    (or ReLU), stacked ``num_layers`` deep, optionally bidirectional.

    Args:
        input_size, hidden_size: features of :math:`x_t` and :math:`h_t`.
        num_layers: stacked layers (default 1).
        nonlinearity: ``'tanh'`` (default) or ``'relu'``.
        bias: learn ``b_ih`` and ``b_hh`` (default ``True``).
        batch_first: input and output are ``(N, L, ·)`` instead of ``(L, N, ·)``.
        dropout: dropout probability on the outputs of each layer but the last.
        bidirectional: also run the sequence backwards and concatenate.

    Shape:
        input ``(L, N, H_in)`` or unbatched ``(L, H_in)``; ``h_0`` ``(D·num_layers, N, H)``.
        Returns ``output`` ``(L, N, D·H)`` and ``h_n`` ``(D·num_layers, N, H)``.

    Example:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(chainrule.randn(5, 3, 10))
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def _layer(self, input, initial, weights, reverse):
        return rnn_ops.rnn_layer(input, initial[0], *weights, reverse, self.nonlinearity)

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, [hx])
        return output, h_n


class LSTM(RNNBase):
    """Long short-term memory, stacked ``num_layers`` deep, optionally bidirectional.

    .. math::
        i_t, f_t, g_t, o_t = \\sigma, \\sigma, \\tanh, \\sigma\\,
        (x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh}) \\quad
        c_t = f_t c_{t-1} + i_t g_t \\quad h_t = o_t \\tanh(c_t)

    Args: as :class:`RNN` (without ``nonlinearity``); ``proj_size > 0`` is not implemented.

    Shape:
        input ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``) or ``(L, H_in)``, or
        a ``PackedSequence`` (each sequence runs for its own length; the output is packed
        too); ``(h_0, c_0)`` each ``(D·num_layers, N, H)``.  Returns
        ``output, (h_n, c_n)``.

    Example:
        >>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(chainrule.randn(3, 5, 10))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def _layer(self, input, initial, weights, reverse):
        return rnn_ops.lstm_layer(input, initial[0], initial[1], *weights, reverse)

    def forward(self, input, hx=None):
        states = [None, None] if hx is None else [hx[0], hx[1]]
        output, (h_n, c_n) = self._forward(input, states)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, stacked ``num_layers`` deep, optionally bidirectional.

    .. math::
        r_t, z_t = \\sigma(x_t W_{i\\cdot}^T + b_{i\\cdot} + h_{t-1} W_{h\\cdot}^T + b_{h\\cdot})
        \\quad n_t = \\tanh(x_t W_{in}^T + b_{in} + r_t (h_{t-1} W_{hn}^T + b_{hn})) \\quad
        h_t = (1 - z_t) n_t + z_t h_{t-1}

    Args and shapes: as :class:`RNN` (without ``nonlinearity``).
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _layer(self, input, initial, weights, reverse):
        return rnn_ops.gru_layer(input, initial[0], *weights, reverse)

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, [hx])
        return output, h_n


# --------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters ``weight_ih`` ``(chunks·H, I)``, ``weight_hh`` ``(chunks·H, H)``,
    ``bias_ih``, ``bias_hh``, uniform in ±1/√H."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        _check_size(hidden_size, "hidden_size")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        size = num_chunks * hidden_size
        self.weight_ih = Parameter(chainrule.empty((size, input_size), dtype=dtype))
        self.weight_hh = Parameter(chainrule.empty((size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(chainrule.empty((size,), dtype=dtype))
            self.bias_hh = Parameter(chainrule.empty((size,), dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias uniform in ±1/√hidden_size."""
        _init_uniform(self)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, states):
        """Check shapes; return the 2-D input, 2-D states (zeros where ``None``) and
        whether the input was batched."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for s in states:
            if s is not None and s.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            states = [None if s is None else s.unsqueeze(0) for s in states]
        if input.shape[1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[1]} expected "
                f"{self.input_size}"
            )
        if input.dtype != self.weight_ih.dtype:
            raise _dtype_error(name, input, self.weight_ih)
        prepared = []
        for k, s in enumerate(states):
            if s is None:
                s = chainrule.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)
            elif s.shape[0] != input.shape[0]:
                raise RuntimeError(
                    f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size "
                    f"{s.shape[0]}"
                )
            prepared.append(s)
        return input, prepared, batched

    def _weights(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(RNNCellBase):
    """One Elman step: :math:`h' = \\tanh(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})`
    (or ReLU).  Input ``(N, I)`` or ``(I,)``; returns ``h'`` of the same batch shape."""

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, 1, dtype=dtype)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])
        out = rnn_cell(x, h, *self._weights(), self.nonlinearity)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (see :func:`lstm_cell`); returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, dtype=dtype)

    def forward(self, input, hx=None):
        states = [None, None] if hx is None else [hx[0], hx[1]]
        x, (h, c), batched = self._prepare(input, states)
        h, c = lstm_cell(x, h, c, *self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (see :func:`gru_cell`); returns ``h'``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])
        out = gru_cell(x, h, *self._weights())
        return out if batched else out.squeeze(0)
