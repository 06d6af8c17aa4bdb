"""A pool of private scratch buffers for the ops that lay out large temporaries
(im2col columns, pooling windows, the fused recurrent layers' gate activations).

The first touch of a fresh multi-megabyte array costs page faults, measured at about
twice the copy that fills it; a buffer handed back after use is handed out again for the
next call of the same shape.  Buffers are keyed by the backend that made them (not by
array type: a backend may accept more than one), at most 4 per key and 256 MiB in all.
Only arrays that no tensor can see may be given back.
"""

_FREE = {}  # (backend, shape, dtype) -> free arrays
_LIMIT_BYTES = 256 * 2**20
_held_bytes = [0]


def take(xp, shape, dtype):
    """An uninitialised array of backend ``xp``: from the pool, or a new one."""
    free = _FREE.get((xp, shape, dtype))
    if free:
        a = free.pop()
        _held_bytes[0] -= a.nbytes
        return a
    return xp.empty(shape, dtype=dtype)


def zeros(xp, shape, dtype):
    """A zero-filled array of backend ``xp`` from the pool."""
    out = take(xp, shape, dtype)
    out.fill(0)
    return out


def give(xp, *arrays):
    """Hand private buffers of backend ``xp`` back to the pool."""
    for a in arrays:
        if _held_bytes[0] + a.nbytes > _LIMIT_BYTES:
            continue
        free = _FREE.setdefault((xp, a.shape, a.dtype), [])
        if len(free) < 4:
            free.append(a)
            _held_bytes[0] += a.nbytes
