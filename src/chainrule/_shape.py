"""Argument normalisation shared by the ops and the creation functions (dims, shapes),
with PyTorch's errors; below the ops, beside the Tensor type."""


def normalize_dim(dim, ndim, op="op"):
    """One dim index in [-ndim, ndim) → [0, ndim); a 0-d tensor accepts 0 and -1."""
    size = max(ndim, 1)
    if not isinstance(dim, int):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -size <= dim < size:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of "
            f"[{-size}, {size - 1}], but got {dim})"
        )
    return dim % size


def normalize_dims(dim, ndim, op="op"):
    """``None`` → all dims; an int or a sequence → a sorted tuple of distinct dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dims = (normalize_dim(dim, ndim, op),)
    else:
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in the list of dims")
    if ndim == 0:
        return ()
    return tuple(sorted(dims))


def normalize_shape(shape):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def kept_shape(shape, dims):
    """``shape`` with each reduced dim set to 1 (the keepdim=True shape)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))
