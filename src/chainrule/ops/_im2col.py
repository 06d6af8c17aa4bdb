"""The array maths of convolution (no Tensors, no graph): im2col, the GEMMs, col2im.

For input x (N, C, H, W), weight w (O, C/G, kh, kw), G groups, stride s, padding p and
dilation d, the windows of the padded input are laid out as columns (a strided view,
copied), and

    forward          y = W · cols                      one GEMM per sample and group
    input gradient   x̄ = col2im(Wᵀ · g)                the kh·kw column blocks added back
    weight gradient  w̄ = Σₙ gₙ · colsₙᵀ                one GEMM per sample, summed

The samples go through in cache-sized chunks, each laying out its own columns (the
weight gradient lays them out again rather than keeping megabytes of them from the
forward).  Every loop runs over chunks and the kh·kw kernel offsets, never over pixels.
The rows that use these functions are in ops/conv.py."""

from ._pool import give, take, zeros

# Geometry is always 2-D: stride (sh, sw), padding ((top, bottom), (left, right)),
# dilation (dh, dw).  A 3-D array (N, C, L) is viewed as (N, C, 1, L).  ``xp`` is the
# array namespace of the data (chainrule._backend).


def as_4d(a):
    return a[:, :, None, :] if a.ndim == 3 else a


def _strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def _padded_plane(xp, x, padding, flat_tail=None):
    """x with zero padding around each (H, W) plane, in a private buffer (give it back),
    or x itself when there is nothing to pad.  With ``flat_tail``, the planes are a flat
    (N, C, Hp·Wp + tail) buffer, rows laid end to end."""
    n, c, h, w = x.shape
    (pt, pb), (pl, pr) = padding
    hp, wp = h + pt + pb, w + pl + pr
    if flat_tail is None:
        if pt == pb == pl == pr == 0:
            return x
        out = zeros(xp, (n, c, hp, wp), x.dtype)
        out[:, :, pt : pt + h, pl : pl + w] = x
        return out
    flat = zeros(xp, (n, c, hp * wp + flat_tail), x.dtype)
    _plane_view(xp, flat, hp, wp)[:, :, pt : pt + h, pl : pl + w] = x
    return flat


def _plane_view(xp, flat, hp, wp):
    """The (N, C, Hp, Wp) planes inside a flat (N, C, Hp·Wp + tail) buffer (a view)."""
    e = flat.itemsize
    return _strided(xp, flat, flat.shape[:2] + (hp, wp), flat.strides[:2] + (wp * e, e))


def _column_width(width, padding, stride, wo):
    """Wq, the columns' entries per output row (see _columns)."""
    return width + padding[1][0] + padding[1][1] if stride[0] == stride[1] == 1 else wo


def _columns(xp, x, kernel, groups, stride, padding, dilation, out_hw):
    """im2col: the windows of x as (N, G, Cg·kh·kw, Ho·Wq) columns in a private buffer
    (Wq from _column_width).

    With stride 1 the padded rows are laid end to end, so window (i, j) of every output
    position is one contiguous run starting at i·dh·Wp + j·dw; the columns then have Wp
    entries per output row (Wq = Wp), of which the last Wp − Wo are unused.  Otherwise
    Wq = Wo and each window is a strided view.

    The columns, like every other large temporary here, come from and go back to a pool:
    the first touch of a fresh multi-megabyte array costs page faults, measured at about
    twice the copy itself.
    """
    n, c, h, w = x.shape
    kh, kw = kernel
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_hw
    wq = _column_width(w, padding, stride, wo)
    cg = c // groups
    if sh == sw == 1:
        padded = _padded_plane(xp, x, padding, flat_tail=dw * (kw - 1))
        s_n, s_c = padded.strides[:2]
        e = padded.itemsize
        shape = (n, groups, cg, kh, kw, ho * wq)
        strides = (s_n, cg * s_c, s_c, dh * wq * e, dw * e, e)
    else:
        padded = _padded_plane(xp, x, padding)
        s_n, s_c, s_h, s_w = padded.strides
        shape = (n, groups, cg, kh, kw, ho, wo)
        strides = (s_n, cg * s_c, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w)
    cols = take(xp, (n, groups, cg * kh * kw, ho * wq), x.dtype)
    xp.copyto(cols.reshape(shape), _strided(xp, padded, shape, strides))
    if padded is not x:
        give(xp, padded)
    return cols


def _widen(xp, g, wq):
    """g (N, O, Ho, Wo) with zero columns up to width wq (the unused im2col columns), in
    a private buffer; g itself when it has that width already."""
    if g.shape[3] == wq:
        return g
    out = zeros(xp, g.shape[:3] + (wq,), g.dtype)
    out[..., : g.shape[3]] = g
    return out


def _out_size(size, k, s, pads, d):
    return (size + pads[0] + pads[1] - d * (k - 1) - 1) // s + 1


# The samples go through in chunks whose columns take about this many bytes, the size of
# one core's L2 cache here, so that the GEMM reads a chunk's columns while they are still
# cached.  In a LeNet training step (columns of 5-6 MB per layer) 1 MiB chunks ran the
# step 8-10% faster than whole-batch columns, 256 KiB chunks 20% slower (more calls).
CHUNK_BYTES = 1024 * 1024


def _chunks(n, per_sample_bytes):
    step = max(1, CHUNK_BYTES // max(1, per_sample_bytes))
    return [slice(a, min(a + step, n)) for a in range(0, n, step)]


def conv_forward(xp, x, w, stride, padding, dilation, groups, bias=None):
    """y = w ⋆ x (+ bias), cross-correlation."""
    one_d = x.ndim == 3
    x4, w4 = as_4d(x), as_4d(w)
    n = x4.shape[0]
    o, cg, kh, kw = w4.shape
    og, k = o // groups, cg * kh * kw
    ho = _out_size(x4.shape[2], kh, stride[0], padding[0], dilation[0])
    wo = _out_size(x4.shape[3], kw, stride[1], padding[1], dilation[1])
    w2 = w4.reshape(groups, og, k)
    y = xp.empty((n, o, ho, wo), dtype=x.dtype)
    b = None if bias is None else bias.reshape(-1, 1, 1)
    wq = _column_width(x4.shape[3], padding, stride, wo)
    for part in _chunks(n, k * groups * ho * wq * x.itemsize):
        cols = _columns(xp, x4[part], (kh, kw), groups, stride, padding, dilation, (ho, wo))
        m = cols.shape[0]
        if wq == wo:  # the GEMM writes the output itself
            xp.matmul(w2, cols, out=y[part].reshape(m, groups, og, ho * wo))
            if b is not None:
                y[part] += b
        else:  # a private buffer; the used columns (and bias) go to the output
            wide = xp.matmul(w2, cols, out=take(xp, (m, groups, og, ho * wq), x.dtype))
            used = wide.reshape(m, o, ho, wq)[..., :wo]
            if b is None:
                y[part] = used
            else:
                xp.add(used, b, out=y[part])
            give(xp, wide)
        give(xp, cols)
    return y.reshape(n, o, wo) if one_d else y


def conv_input_grad(xp, g, w, input_shape, stride, padding, dilation, groups):
    """∂L/∂x of y = w ⋆ x given g = ∂L/∂y: the transposed convolution of g with w."""
    one_d = g.ndim == 3
    g4, w4 = as_4d(g), as_4d(w)
    n, o, ho, wo = g4.shape
    c, h, wd = input_shape[1], (1 if one_d else input_shape[2]), input_shape[-1]
    _, cg, kh, kw = w4.shape
    og, k = o // groups, cg * kh * kw
    (sh, sw), (dh, dw) = stride, dilation
    (pt, pb), (pl, pr) = padding
    hp, wp = h + pt + pb, wd + pl + pr
    flat_path = sh == sw == 1
    wq = _column_width(wd, padding, stride, wo)
    length = ho * wq
    wt = xp.swapaxes(w4.reshape(groups, og, k), 1, 2)
    dx = xp.empty((n, c, h, wd), dtype=g.dtype)
    for part in _chunks(n, k * groups * length * g.itemsize):
        gc = g4[part]
        gq = _widen(xp, gc, wq)
        m = gq.shape[0]
        dcols = take(xp, (m, groups, k, length), g.dtype)
        xp.matmul(wt, gq.reshape(m, groups, og, length), out=dcols)
        if gq is not gc:
            give(xp, gq)
        blocks = dcols.reshape(m, c, kh, kw, length)
        if flat_path:  # each kernel offset's block is one contiguous run of the flat planes
            padded = zeros(xp, (m, c, hp * wp + dw * (kw - 1)), g.dtype)
            for i in range(kh):
                for j in range(kw):
                    start = i * dh * wp + j * dw
                    padded[:, :, start : start + length] += blocks[:, :, i, j]
            planes = _plane_view(xp, padded, hp, wp)
        else:
            padded = planes = zeros(xp, (m, c, hp, wp), g.dtype)
            for i in range(kh):
                for j in range(kw):
                    rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
                    cols = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
                    planes[:, :, rows, cols] += blocks[:, :, i, j].reshape(m, c, ho, wo)
        dx[part] = planes[:, :, pt : pt + h, pl : pl + wd]
        give(xp, dcols, padded)
    return dx.reshape(input_shape)


def conv_weight_grad(xp, x, g, weight_shape, stride, padding, dilation, groups):
    """∂L/∂w of y = w ⋆ x given g = ∂L/∂y: Σ over samples and positions of windows · g,
    one GEMM per sample in the orientation colsₙ gₙᵀ (about 1.7x faster in BLAS at
    LeNet's sizes than gₙ colsₙᵀ), transposed at the end."""
    x4, g4 = as_4d(x), as_4d(g)
    n, o, ho, wo = g4.shape
    kh, kw = (1, weight_shape[-1]) if len(weight_shape) == 3 else weight_shape[2:]
    og, k = o // groups, weight_shape[1] * kh * kw
    wq = _column_width(x4.shape[3], padding, stride, wo)
    dw = xp.zeros((groups, k, og), dtype=g.dtype)
    for part in _chunks(n, k * groups * ho * wq * x.itemsize):
        cols = _columns(xp, x4[part], (kh, kw), groups, stride, padding, dilation, (ho, wo))
        m = cols.shape[0]
        gc = g4[part]
        gq = _widen(xp, gc, wq)
        per_sample = take(xp, (m, groups, k, og), cols.dtype)
        xp.matmul(cols, xp.swapaxes(gq.reshape(m, groups, og, ho * wq), 2, 3), out=per_sample)
        dw += xp.sum(per_sample, (0,), False)
        give(xp, per_sample, cols)
        if gq is not gc:
            give(xp, gq)
    return xp.reshape(xp.swapaxes(dw, 1, 2), weight_shape)


def transposed_shape(x_shape, w_shape, stride, padding, dilation, output_padding):
    """Output shape of a transposed convolution: (H−1)s − p_total + d(k−1) + out_pad + 1."""
    n, _, *space = x_shape
    kernel = w_shape[2:]
    out = []
    offset = 2 - len(space)  # conv1d: only the width entries of the 2-D geometry
    for k, size in enumerate(space):
        a = k + offset
        total = padding[a][0] + padding[a][1]
        extent = dilation[a] * (kernel[k] - 1)
        out.append((size - 1) * stride[a] - total + extent + output_padding[a] + 1)
    groups_out = w_shape[1]
    return (n, groups_out, *out)
