"""Attention as functions: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (re-exported by ``chainrule.nn.functional``).

Both are composites of differentiable ops (matmul, softmax, masked_fill, linear), written
after PyTorch's reference code, so gradients of every order come from the engine.
"""

import math
import warnings

import chainrule
from chainrule.nn import functional as F

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]

_NEG_INF = float("-inf")


def _safe_softmax(scores, masked):
    """Softmax over the last dim where a row that is entirely ``-inf`` (every key masked)
    gives zeros instead of NaN, with a zero gradient (PyTorch's ``_safe_softmax``)."""
    if not masked:
        return F.softmax(scores, -1)
    empty = (scores == _NEG_INF).all(-1, keepdim=True)
    if not bool(empty.any()):
        return F.softmax(scores, -1)
    weights = F.softmax(chainrule.where(empty, 0.0, scores), -1)
    return chainrule.where(empty, 0.0, weights)


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p=0.0,
    is_causal=False,
    scale=None,
    enable_gqa=False,
):
    """softmax(Q Kᵀ · scale + bias) V over the last two dims.

    .. math::
        \\text{Attention}(Q, K, V) = \\text{softmax}\\Big(\\frac{Q K^T}{\\sqrt{E}}
        + B\\Big) V

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, E_v)``.
        attn_mask: a bool mask (``True`` = may attend) or a float bias, broadcastable to
            ``(..., L, S)``.
        dropout_p: dropout probability on the attention weights (always applied when > 0,
            as in PyTorch: pass 0 in evaluation).
        is_causal: query i attends to keys j ≤ i (top-left aligned); excludes attn_mask.
        scale: the factor instead of 1/√E.
        enable_gqa: key/value may have fewer heads (dim −3) than the query; each is
            repeated to match.

    A query row whose keys are all masked gives zeros (not NaN).

    Returns:
        ``(..., L, E_v)``.
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    length, source = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and key.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        key, value = (_repeat_heads(t, query.shape[-3]) for t in (key, value))
    scores = chainrule.matmul(query, key.transpose(-2, -1)) * factor
    masked = False
    if is_causal:
        allowed = chainrule.ones((length, source), dtype=chainrule.bool).tril()
        scores = scores.masked_fill(allowed.logical_not(), _NEG_INF)
    elif attn_mask is not None:
        if attn_mask.dtype == chainrule.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), _NEG_INF)
        else:
            scores = scores + attn_mask
        masked = True
    weights = _safe_softmax(scores, masked)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, True)
    return chainrule.matmul(weights, value)


def _repeat_heads(t, heads):
    """Repeat each head of ``t`` (dim −3) ``heads // t.shape[-3]`` times, in place order
    (``repeat_interleave`` along the head dim)."""
    groups = t.shape[-3]
    if heads % groups:
        raise RuntimeError(
            f"scaled_dot_product_attention: enable_gqa needs the query's {heads} heads to be "
            f"a multiple of the key/value's {groups}"
        )
    lead = tuple(t.shape[:-3])
    expanded = t.unsqueeze(-3).expand(*lead, groups, heads // groups, *t.shape[-2:])
    return expanded.reshape(*lead, heads, *t.shape[-2:])


def _canonical_mask(mask, name, other_type, other_name, target_type, check_other=True):
    """A bool mask (``True`` = masked) as a float mask of ``-inf`` and 0; float masks
    pass through."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != chainrule.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if not is_float:
        mask = chainrule.zeros(tuple(mask.shape), dtype=target_type).masked_fill(mask, _NEG_INF)
    return mask


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; PyTorch's AssertionErrors for inconsistent shapes."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                f"but found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                    f"3-D but found {attn_mask.dim()}-D tensor instead"
                )
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                )
        return False
    raise AssertionError(
        "query should be unbatched 2D or batched 3D tensor but received "
        f"{query.dim()}-D query tensor"
    )


def _in_projection(query, key, value, w, b, separate):
    """q, k, v = the three input projections (packed rows of ``w`` unless ``separate``)."""
    if separate is not None:
        w_q, w_k, w_v = separate
        b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
        return F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)
    if query is key and key is value:  # self-attention: one GEMM
        return F.linear(query, w, b).chunk(3, -1)
    w_q, w_kv = w.split([w.shape[0] // 3, 2 * w.shape[0] // 3])
    b_q, b_kv = (None, None) if b is None else b.split([b.shape[0] // 3, 2 * b.shape[0] // 3])
    q = F.linear(query, w_q, b_q)
    if key is value:
        k, v = F.linear(key, w_kv, b_kv).chunk(2, -1)
        return q, k, v
    w_k, w_v = w_kv.chunk(2)
    b_k, b_v = (None, None) if b_kv is None else b_kv.chunk(2)
    return q, F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """Multi-head attention on ``(L, N, E)`` inputs (``(L, E)`` unbatched); see
    :class:`chainrule.nn.MultiheadAttention`.  Returns ``(output, weights or None)``.

    Masks: bool ``True`` (or a float ``-inf``) hides a key; ``key_padding_mask`` is
    ``(N, S)``, ``attn_mask`` ``(L, S)`` or ``(N·num_heads, L, S)``.  With
    ``need_weights`` the weights are returned (averaged over heads unless
    ``average_attn_weights=False``) and a fully masked row is NaN, as in PyTorch;
    without, the attention runs through :func:`scaled_dot_product_attention`.
    """
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(
        key_padding_mask,
        "key_padding_mask",
        None if attn_mask is None else attn_mask.dtype,
        "attn_mask",
        query.dtype,
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
        if any(w is None for w in separate):
            raise AssertionError("use_separate_proj_weight is True but a projection is None")
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        separate = None
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, separate)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(bsz * num_heads, tgt_len, src_len)}."
            )
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k = chainrule.cat([k, bias_k.repeat(1, bsz, 1)])
        v = chainrule.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be set or both be None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = static_k if static_k is not None else _heads(k, bsz * num_heads, head_dim)
    v = static_v if static_v is not None else _heads(v, bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = chainrule.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k = chainrule.cat([k, zeros], 1)
        v = chainrule.cat([v, zeros], 1)
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"Expected key_padded_mask.shape to be {(bsz, src_len)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        key_padding_mask = (
            key_padding_mask.reshape(bsz, 1, 1, src_len)
            .expand(bsz, num_heads, 1, src_len)
            .reshape(bsz * num_heads, 1, src_len)
        )
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = chainrule.bmm(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = F.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, dropout_p)
        out = chainrule.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if batched else out.squeeze(1)), None


def _heads(t, batch_heads, head_dim):
    """``(S, N, E)`` → ``(N·heads, S, head_dim)``."""
    return t.reshape(t.shape[0], batch_heads, head_dim).transpose(0, 1)
