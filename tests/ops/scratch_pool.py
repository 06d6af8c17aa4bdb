"""The scratch pool hands a returned buffer out again, whatever array types the backend
accepts (vmap widens NumPy's to batched arrays; the pool once missed every time then)."""

import numpy as np

import chainrule.func  # noqa: F401  (registers vmap's batched arrays with the backend)
from chainrule._backend import numpy_backend
from chainrule.ops._pool import give, take, zeros


def test_a_given_buffer_is_taken_again_for_the_same_shape_and_dtype():
    a = take(numpy_backend, (3, 5), np.dtype(np.float32))
    give(numpy_backend, a)
    assert take(numpy_backend, (3, 5), np.dtype(np.float32)) is a
    b = take(numpy_backend, (3, 5), np.dtype(np.float32))
    assert b is not a  # handed out once only


def test_other_shapes_and_dtypes_get_their_own_buffers():
    a = take(numpy_backend, (4, 6), np.dtype(np.float64))
    give(numpy_backend, a)
    assert take(numpy_backend, (6, 4), np.dtype(np.float64)) is not a
    assert take(numpy_backend, (4, 6), np.dtype(np.float32)) is not a


def test_zeros_are_zero_even_after_reuse():
    a = take(numpy_backend, (2, 7), np.dtype(np.float64))
    a.fill(3.0)
    give(numpy_backend, a)
    z = zeros(numpy_backend, (2, 7), np.dtype(np.float64))
    assert z is a and not z.any()
