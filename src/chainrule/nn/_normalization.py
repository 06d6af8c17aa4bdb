"""More normalisations as functions (re-exported by ``chainrule.nn.functional``):
``group_norm``, ``instance_norm``, ``rms_norm`` and ``local_response_norm``.

All are composites of differentiable ops (means, ``rsqrt``, ``pow``), so gradients of every
order come from the engine.
"""

import chainrule
from chainrule.nn import functional as F

__all__ = ["group_norm", "instance_norm", "local_response_norm", "rms_norm"]


def _channel_shape(input):
    shape = [1] * input.ndim
    shape[1] = input.shape[1]
    return shape


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample's channels in ``num_groups`` groups of C / G channels.

    .. math::
        y = \\frac{x - \\mathrm{E}_g[x]}{\\sqrt{\\mathrm{Var}_g[x] + \\epsilon}}\\,\\gamma_c
        + \\beta_c

    with the mean and biased variance over each group's channels and positions.

    Shape:
        input ``(N, C, *)``; ``weight`` and ``bias`` ``(C)``.
    """
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "group_norm: expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)
    mean = grouped.mean(-1, keepdim=True)
    centered = grouped - mean
    var = (centered * centered).mean(-1, keepdim=True)
    out = (centered * chainrule.rsqrt(var + eps)).reshape(input.shape)
    shape = _channel_shape(input)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Normalise each channel of each sample over its positions.

    .. math::
        y_{nc} = \\frac{x_{nc} - \\mathrm{E}[x_{nc}]}{\\sqrt{\\mathrm{Var}[x_{nc}] + \\epsilon}}
        \\,\\gamma_c + \\beta_c

    This is ``batch_norm`` of the input viewed as one sample of N·C channels, as in
    PyTorch; with ``use_input_stats`` the running statistics (when given) move towards the
    batch average of the per-instance means and unbiased variances, otherwise they
    normalise.

    Shape:
        input ``(N, C, *)``; the running statistics, ``weight`` and ``bias`` ``(C)``.
    """
    if input.ndim < 3:
        raise ValueError(
            f"instance_norm: expected input of shape (N, C, *) with at least one spatial dim, "
            f"got {tuple(input.shape)}"
        )
    n, c = input.shape[0], input.shape[1]
    if use_input_stats and input.numel() // (n * c) <= 1:
        raise ValueError(
            "Expected more than 1 spatial element when training, got input size "
            f"{list(input.shape)}"
        )

    def per_instance(stat):
        return None if stat is None else stat.repeat(n)

    mean_nc, var_nc = per_instance(running_mean), per_instance(running_var)
    out = F.batch_norm(
        input.reshape(1, n * c, *input.shape[2:]),
        mean_nc,
        var_nc,
        per_instance(weight),
        per_instance(bias),
        use_input_stats,
        momentum,
        eps,
    )
    if use_input_stats:
        with chainrule.no_grad():
            if running_mean is not None:
                running_mean.copy_(mean_nc.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(var_nc.reshape(n, c).mean(0))
    return out.reshape(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dims.

    .. math:: y = \\frac{x}{\\sqrt{\\mathrm{E}[x^2] + \\epsilon}}\\,\\gamma

    ``eps=None`` uses the machine epsilon of the input's dtype, as PyTorch.
    """
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k :]) != normalized_shape:
        raise RuntimeError(
            f"rms_norm: input of shape {tuple(input.shape)} does not end in "
            f"normalized_shape {normalized_shape}"
        )
    if eps is None:
        eps = chainrule.finfo(input.dtype).eps
    dims = tuple(range(input.ndim - k, input.ndim))
    out = input * chainrule.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each element by the energy of its ``size`` neighbouring channels.

    .. math:: y_c = x_c \\Big/ \\Big(k + \\frac{\\alpha}{n} \\sum_{c'} x_{c'}^2\\Big)^{\\beta}

    with the sum over channels :math:`c - \\lfloor n/2 \\rfloor \\le c' \\le
    c + \\lfloor (n-1)/2 \\rfloor` (zeros beyond the edges) and :math:`n` = ``size``.
    """
    if input.ndim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    padding = [0, 0] * (input.ndim - 2) + [size // 2, (size - 1) // 2]
    squares = F.pad(input * input, padding)
    energy = squares[:, :channels]
    for offset in range(1, size):  # one shifted slice per window position
        energy = energy + squares[:, offset : offset + channels]
    return input / (energy * (alpha / size) + k) ** beta
