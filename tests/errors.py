"""Errors for bad input: one test per message, and no error leaves state half-updated.

Issue 2: mismatched shapes in matmul/broadcasting name the op and both shapes; backward()
on a non-scalar without ``gradient`` says so; backward() on a tensor that does not require
grad; requires_grad=True on an integer tensor; item() on a tensor with many elements; an
index out of range; a dtype chainrule does not support.  "No error leaves a tensor or its
.grad half-updated."  Exception types follow PyTorch's where PyTorch raises.
"""

import numpy as np
import pytest
import torch

import chainrule as cr


def _shape_pattern(shape, bare=False):
    """A regex for a shape as messages write it: (2, 3), (2,3), [2, 3], 2x3, Size([2, 3]);
    with ``bare``, a 1-D shape may also be its bare length (``(2x3 and 4)``)."""
    dims = [str(d) for d in shape]
    forms = [
        r"\(" + r",\s*".join(dims) + ("," if len(dims) == 1 else "") + r"\)",
        r"\[" + r",\s*".join(dims) + r"\]",
    ]
    if len(dims) > 1:
        forms.append(r"\b" + "x".join(dims) + r"\b")
    elif bare:
        forms.append(r"\b" + dims[0] + r"\b")
    return "(?:" + "|".join(forms) + ")"


def names_all(*patterns):
    """A regex (for pytest.raises(match=...)) that requires every pattern, in any order."""
    return "(?s)" + "".join(f"(?=.*{p})" for p in patterns)


# --------------------------------------------------------------------------- shapes
def test_matmul_shape_mismatch_names_op_and_both_shapes():
    a, b = cr.zeros(2, 3), cr.zeros(4, 5)
    with pytest.raises(
        RuntimeError,
        match=names_all(r"(?i:\b(matmul|mm)\b)", _shape_pattern((2, 3)), _shape_pattern((4, 5))),
    ):
        a @ b


def test_matmul_vector_shape_mismatch_names_op_and_both_shapes():
    with pytest.raises(
        RuntimeError,
        match=names_all(
            r"(?i:\b(matmul|mv|dot)\b)", _shape_pattern((2, 3)), _shape_pattern((4,), bare=True)
        ),
    ):
        cr.matmul(cr.zeros(2, 3), cr.zeros(4))


def test_batched_matmul_shape_mismatch_names_op_and_both_shapes():
    with pytest.raises(
        RuntimeError,
        match=names_all(
            r"(?i:\b(matmul|bmm)\b)", _shape_pattern((5, 2, 3)), _shape_pattern((5, 4, 2))
        ),
    ):
        cr.zeros(5, 2, 3) @ cr.zeros(5, 4, 2)


def test_broadcasting_add_mismatch_names_op_and_both_shapes():
    with pytest.raises(
        RuntimeError, match=names_all(r"(?i:\badd\b)", _shape_pattern((2, 3)), _shape_pattern((4,)))
    ):
        cr.zeros(2, 3) + cr.zeros(4)


def test_broadcasting_mul_mismatch_names_op_and_both_shapes():
    with pytest.raises(
        RuntimeError, match=names_all(r"(?i:\bmul\b)", _shape_pattern((3, 2)), _shape_pattern((3,)))
    ):
        cr.ones(3, 2, requires_grad=True) * cr.ones(3)


def test_matmul_error_type_matches_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3) @ torch.zeros(4, 5)
    with pytest.raises(RuntimeError):
        cr.zeros(2, 3) @ cr.zeros(4, 5)


# --------------------------------------------------------------------------- backward
def test_backward_on_non_scalar_without_gradient_says_so():
    y = cr.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=names_all(r"(?i:scalar)", r"(?i:grad)")):
        y.backward()


def test_autograd_grad_on_non_scalar_without_grad_outputs_says_so():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"(?i)scalar"):
        cr.autograd.grad(x * 2, x)


def test_backward_on_tensor_not_requiring_grad():
    y = cr.tensor([1.0, 2.0]).sum()
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        y.backward()


def test_backward_on_result_computed_under_no_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        y.backward()


def test_backward_gradient_of_wrong_shape_names_both_shapes():
    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=names_all(_shape_pattern((4,)), _shape_pattern((3,)))):
        (x * 2).backward(cr.ones(4))


def test_grad_of_input_not_requiring_grad():
    x = cr.tensor([1.0, 2.0])
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        cr.autograd.grad((x * w).sum(), x)


# --------------------------------------------------------------------------- requires_grad
def test_requires_grad_on_int_tensor():
    with pytest.raises(RuntimeError, match=r"(?i)floating point"):
        cr.tensor([1, 2], requires_grad=True)


def test_requires_grad_on_int_tensor_from_factories_and_requires_grad_():
    with pytest.raises(RuntimeError, match=r"(?i)floating point"):
        cr.zeros(2, dtype=cr.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"(?i)floating point"):
        cr.arange(3).requires_grad_()
    t = cr.tensor([True, False])
    with pytest.raises(RuntimeError, match=r"(?i)floating point"):
        t.requires_grad = True
    assert not t.requires_grad


def test_requires_grad_false_on_non_leaf():
    y = cr.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"leaf"):
        y.requires_grad_(False)
    assert y.requires_grad


# --------------------------------------------------------------------------- item, index
def test_item_on_tensor_with_many_elements():
    with pytest.raises(RuntimeError, match=r"(?s)(?=.*\b6 elements)(?=.*(?i:scalar))"):
        cr.zeros(2, 3).item()


def test_index_out_of_range_names_index_and_size():
    x = cr.zeros(3)
    with pytest.raises(IndexError, match=names_all(r"\b5\b", r"\b3\b")):
        x[5]
    with pytest.raises(IndexError, match=names_all(r"\b7\b", r"\b4\b")):
        cr.zeros(3, 4)[1, 7]
    with pytest.raises(IndexError, match=r"(?<![\w-])-4\b"):
        x[-4]


def test_integer_array_index_out_of_range():
    with pytest.raises(IndexError, match=r"\b5\b"):
        cr.zeros(3)[cr.tensor([0, 5])]


def test_too_many_indices():
    with pytest.raises(IndexError):
        cr.zeros(3)[0, 0]
    with pytest.raises(IndexError):
        torch.zeros(3)[0, 0]


def test_size_dim_out_of_range():
    with pytest.raises(IndexError, match=r"(?i)dimension out of range"):
        cr.zeros(2, 3).size(2)


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: cr.tensor([1], dtype=np.uint16), id="tensor-dtype-uint16"),
        pytest.param(
            lambda: cr.tensor(np.array([1, 2], dtype=np.uint16)), id="tensor-uint16-array"
        ),
        pytest.param(
            lambda: cr.tensor(np.array([1, 2], dtype=np.complex64)), id="tensor-complex64-array"
        ),
        pytest.param(
            lambda: cr.from_numpy(np.array([1, 2], dtype=np.complex64)), id="from_numpy-complex64"
        ),
        pytest.param(
            lambda: cr.as_tensor(np.array([1, 2], dtype=np.uint32)), id="as_tensor-uint32"
        ),
        pytest.param(lambda: cr.zeros(2, dtype=np.uint64), id="zeros-dtype-uint64"),
        pytest.param(lambda: cr.ones(2).to(np.complex128), id="to-complex128"),
    ],
)
def test_unsupported_dtype_is_refused_naming_it(make):
    with pytest.raises(
        TypeError,
        match=names_all(r"(?i:unsupported)", r"(uint16|uint32|uint64|complex64|complex128)"),
    ):
        make()


def test_unsupported_integer_width_is_refused():
    with pytest.raises(TypeError, match=r"uint32"):
        cr.zeros(2, dtype=np.uint32)


# --------------------------------------------------------------------------- no half updates
def _state(t):
    return (np.asarray(t.detach()).copy(), t._version, str(t.dtype), t.grad_fn, t.requires_grad)


def _assert_unchanged(t, before):
    data, version, dtype, grad_fn, requires_grad = before
    np.testing.assert_array_equal(np.asarray(t.detach()), data)
    assert t._version == version
    assert str(t.dtype) == dtype
    assert t.grad_fn is grad_fn
    assert t.requires_grad == requires_grad


FAILING_INPLACE = {
    "add_ shape mismatch": (lambda m: m.zeros(3), lambda m, x: x.add_(m.ones(4))),
    "add_ would broadcast self": (lambda m: m.zeros(3), lambda m, x: x.add_(m.ones(2, 3))),
    "mul_ shape mismatch in graph": (
        lambda m: m.zeros(3, requires_grad=True) * 1,
        lambda m, x: x.mul_(m.ones(4, requires_grad=True)),
    ),
    "sub_ shape mismatch, alpha": (lambda m: m.zeros(3), lambda m, x: x.sub_(m.ones(4), alpha=2)),
    "float into int tensor": (
        lambda m: m.tensor([1, 2, 3]),
        lambda m, x: x.add_(m.tensor([0.5, 0.5, 0.5])),
    ),
    "python float into int tensor": (lambda m: m.tensor([1, 2, 3]), lambda m, x: x.mul_(1.5)),
    "div_ of int tensor": (lambda m: m.tensor([1, 2, 3]), lambda m, x: x.div_(2)),
    "int into bool tensor": (lambda m: m.tensor([True, False]), lambda m, x: x.add_(1)),
    "float requiring grad into int": (
        lambda m: m.tensor([1, 2, 3]),
        lambda m, x: x.mul_(m.ones(3, requires_grad=True)),
    ),
    "copy_ shape mismatch": (lambda m: m.zeros(3), lambda m, x: x.copy_(m.ones(4))),
    "copy_ shape mismatch in graph": (
        lambda m: m.zeros(3, requires_grad=True) * 1,
        lambda m, x: x.copy_(m.ones(4)),
    ),
    "setitem index out of range": (lambda m: m.zeros(3), lambda m, x: x.__setitem__(5, 1.0)),
    "setitem value shape mismatch": (
        lambda m: m.zeros(3, 2),
        lambda m, x: x.__setitem__(0, m.ones(3)),
    ),
    "fill_ with a vector": (lambda m: m.zeros(3), lambda m, x: x.fill_(m.ones(3))),
    "add_ on leaf requiring grad": (
        lambda m: m.zeros(3, requires_grad=True),
        lambda m, x: x.add_(1),
    ),
    "clamp_ on leaf requiring grad": (
        lambda m: m.ones(3, requires_grad=True),
        lambda m, x: x.clamp_(0, 0.5),
    ),
}


@pytest.mark.parametrize("name", list(FAILING_INPLACE))
def test_failing_inplace_op_leaves_tensor_unchanged(name):
    make, op = FAILING_INPLACE[name]
    with pytest.raises(Exception):  # noqa: B017 -- the type is compared in the next test
        op(torch, make(torch))  # the reference raises too
    x = make(cr)
    before = _state(x)
    with pytest.raises(Exception):  # noqa: B017 -- the type is compared in the next test
        op(cr, x)
    _assert_unchanged(x, before)


@pytest.mark.parametrize("name", list(FAILING_INPLACE))
def test_failing_inplace_op_raises_torchs_exception_type(name):
    make, op = FAILING_INPLACE[name]
    with pytest.raises(Exception) as expected:
        op(torch, make(torch))
    with pytest.raises(Exception) as got:
        op(cr, make(cr))
    assert isinstance(got.value, expected.type), (
        f"chainrule raised {got.type.__name__}({got.value}), PyTorch raises "
        f"{expected.type.__name__}"
    )


def test_failing_inplace_op_on_a_view_leaves_base_unchanged():
    base = cr.zeros(2, 3)
    before = _state(base)
    with pytest.raises(Exception):  # noqa: B017 -- the type is checked with the cases above
        base[0].add_(cr.ones(4))
    _assert_unchanged(base, before)


def test_failing_inplace_error_messages_name_both_shapes():
    pattern = names_all(_shape_pattern((3,)), _shape_pattern((4,)))
    with pytest.raises((RuntimeError, ValueError), match=pattern):
        cr.zeros(3).add_(cr.ones(4))


def test_assigning_grad_of_wrong_shape_keeps_old_grad():
    x = cr.zeros(3, requires_grad=True)
    (x * 2).sum().backward()
    with pytest.raises(RuntimeError, match=names_all(_shape_pattern((4,)), _shape_pattern((3,)))):
        x.grad = cr.zeros(4)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_backward_with_gradient_of_wrong_shape_leaves_grads_unchanged():
    x = cr.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    with pytest.raises(RuntimeError):
        (x * 2).backward(cr.ones(4))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_second_backward_error_leaves_grads_unchanged():
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], requires_grad=True)
    loss = (a * 2).sum() + (b * b).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [6.0, 8.0])


# The next two tests encode "no error leaves .grad half-updated" for a backward pass that
# fails midway.  PyTorch itself does half-update here (it writes the .grad of the leaves
# it reached before the error), so these check the stronger promise.
@pytest.mark.parametrize("order", ["failing branch first", "failing branch last"])
def test_backward_failing_midway_on_inplace_error_leaves_grads_unchanged(order):
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], requires_grad=True)
    a.grad = cr.tensor([10.0, 10.0])
    b.grad = cr.tensor([20.0, 20.0])
    z = b.exp()
    z.add_(1)  # ExpBackward0's saved output is now stale
    loss = (z + a * 2).sum() if order == "failing branch first" else (a * 2 + z).sum()
    with pytest.raises(RuntimeError, match="inplace"):
        loss.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [10.0, 10.0])
    np.testing.assert_array_equal(b.grad.numpy(), [20.0, 20.0])


@pytest.mark.parametrize("hooked", ["a", "b", "c"])
def test_backward_failing_in_a_hook_leaves_grads_unchanged(hooked):
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], requires_grad=True)
    c = cr.tensor([5.0, 6.0], requires_grad=True)

    def loss():
        return (a * b + c.exp() * a).sum()

    loss().backward()
    before = [t.grad.numpy().copy() for t in (a, b, c)]

    def hook(g):
        raise ValueError("hook failed")

    {"a": a, "b": b, "c": c}[hooked].register_hook(hook)
    with pytest.raises(ValueError, match="hook failed"):
        loss().backward()
    after = [t.grad.numpy() for t in (a, b, c)]
    changed = [n for n, x, y in zip("abc", before, after) if not np.array_equal(x, y)]
    assert changed == [], f".grad of {changed} changed by a backward() that raised"


# ---------------------------------------------------------------------------------------
# autograd errors that torch raises (silently wrong gradients are worse than an error)
# ---------------------------------------------------------------------------------------


def _inplace_on_leaf(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.mul_(2.0)


def _modified_saved_tensor(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y.add_(1.0)  # invalidates the saved y
    z.sum().backward()


def _implicit_grad_nonscalar(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).backward()


def _backward_no_grad(m):
    x = m.tensor([1.0, 2.0])
    (x * 2.0).sum().backward()


ERRORS = [
    ("in-place op on a leaf that requires grad", _inplace_on_leaf),
    ("backward after a saved tensor was modified in place", _modified_saved_tensor),
    ("backward() without gradient on a non-scalar", _implicit_grad_nonscalar),
    ("backward() on a tensor that does not require grad", _backward_no_grad),
]


@pytest.mark.parametrize("case,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_autograd_errors_match_torch(cr, case, fn):
    with pytest.raises(RuntimeError):
        fn(torch)
    with pytest.raises(RuntimeError):
        fn(cr)
