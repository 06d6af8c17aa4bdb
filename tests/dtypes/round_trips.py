"""Every dtype through NumPy, ``tensor``/``to``, safetensors files and autograd (float16),
compared with PyTorch."""

import numpy as np
import pytest
import torch

import chainrule as cr

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def array(name):
    values = [[0, 1, 5], [7, 100, 2]]
    return np.array(values).astype(getattr(np, name if name != "bool" else "bool_"))


@pytest.mark.parametrize("name", NAMES)
def test_numpy_round_trip_keeps_the_dtype(name):
    a = array(name)
    shared = cr.from_numpy(a)
    assert str(shared.dtype) == str(torch.from_numpy(a).dtype)
    assert shared.numpy().dtype == a.dtype and np.shares_memory(shared.numpy(), a)
    copied = cr.tensor(a)
    assert str(copied.dtype) == str(torch.tensor(a).dtype)
    assert copied.numpy().dtype == a.dtype and not np.shares_memory(copied.numpy(), a)
    assert str(cr.as_tensor(a).dtype) == str(torch.as_tensor(a).dtype)


@pytest.mark.parametrize("source", NAMES)
@pytest.mark.parametrize("target", NAMES)
def test_tensor_dtype_argument_and_to(source, target):
    a = array(source)
    t = torch.from_numpy(a)
    c = cr.from_numpy(a)
    expected = t.to(getattr(torch, target))
    for got in (c.to(getattr(cr, target)), cr.tensor(a, dtype=getattr(cr, target))):
        assert str(got.dtype) == str(expected.dtype)
        assert np.array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("name", NAMES)
def test_tensor_from_python_data_with_dtype(name):
    data = [[1, 0], [3, 4]]
    assert repr(cr.tensor(data, dtype=getattr(cr, name))) == repr(
        torch.tensor(data, dtype=getattr(torch, name))
    )


@pytest.mark.parametrize("name", NAMES)
def test_safetensors_round_trip_with_torch(name, tmp_path):
    """chainrule writes a file PyTorch's safetensors reads with the same dtype and values,
    and reads the file PyTorch writes."""
    safetensors_torch = pytest.importorskip("safetensors.torch")
    a = array(name)
    ours = tmp_path / "ours.safetensors"
    cr.save({"x": cr.from_numpy(a)}, ours)
    read_by_torch = safetensors_torch.load_file(str(ours))["x"]
    assert str(read_by_torch.dtype) == str(torch.from_numpy(a).dtype)
    assert np.array_equal(read_by_torch.numpy(), a)
    theirs = tmp_path / "theirs.safetensors"
    safetensors_torch.save_file({"x": torch.from_numpy(a)}, str(theirs))
    back = cr.load(theirs)["x"]
    assert back.numpy().dtype == a.dtype and np.array_equal(back.numpy(), a)


def test_float16_requires_grad_and_gradients_match_torch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4)).astype(np.float16)
    w = rng.normal(size=(4, 2)).astype(np.float16)
    grads = []
    for m in (torch, cr):
        xt = m.tensor(x, requires_grad=True)
        wt = m.tensor(w, requires_grad=True)
        loss = ((xt @ wt).tanh() * 0.5 + xt.sum()).sum()
        loss.backward()
        grads.append((loss, xt.grad, wt.grad))
    for c, t in zip(grads[1], grads[0]):
        assert str(c.dtype) == str(t.dtype) == "torch.float16"
        # float16 keeps 11 bits: the two libraries may round intermediate sums differently
        np.testing.assert_allclose(
            np.asarray(c.detach()).astype(np.float64),
            t.detach().numpy().astype(np.float64),
            rtol=2e-3,
            atol=2e-3,
        )


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64", "bool"])
def test_only_floating_dtypes_require_grad(name):
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 0], dtype=getattr(cr, name), requires_grad=True)


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32"])
def test_integer_reductions_give_int64_as_torch(name):
    a = array(name)
    for fn in (lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.prod(1), lambda x: x.cumsum(0)):
        c, t = fn(cr.from_numpy(a)), fn(torch.from_numpy(a))
        assert str(c.dtype) == str(t.dtype)
        assert np.array_equal(c.numpy(), t.numpy())
