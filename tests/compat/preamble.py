"""The CPU preamble of current tutorials and the legacy tensor types answer as PyTorch does."""

import numpy as np
import pytest
import torch

import chainrule


def test_accelerator_answers_as_torch_on_a_cpu_machine():
    for lib in (chainrule, torch):
        assert lib.accelerator.is_available() is False
        assert lib.accelerator.current_accelerator() is None
        assert lib.accelerator.current_accelerator(check_available=True) is None
        assert lib.accelerator.device_count() == 0
        with pytest.raises(RuntimeError, match="when none is available"):
            lib.accelerator.current_device_index()
    # the tutorial line, unchanged
    lib = chainrule
    device = lib.accelerator.current_accelerator().type if lib.accelerator.is_available() else "cpu"
    assert lib.zeros(2).to(device).device == lib.device("cpu")


def test_backends_mps_and_cudnn_flags():
    for lib in (chainrule, torch):
        assert lib.backends.mps.is_available() is False and lib.backends.mps.is_built() is False
        cudnn = lib.backends.cudnn
        assert cudnn.is_available() is False
        assert (cudnn.enabled, cudnn.deterministic, cudnn.benchmark) == (True, False, False)
    cudnn = chainrule.backends.cudnn
    try:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = True, True, False
        assert (cudnn.deterministic, cudnn.benchmark, cudnn.enabled) == (True, True, False)
    finally:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = False, False, True


def test_seeding_preamble_runs():
    chainrule.manual_seed(0)
    chainrule.cuda.manual_seed(0)
    chainrule.cuda.manual_seed_all(0)
    assert chainrule.cuda.is_available() is False and chainrule.cuda.device_count() == 0
    try:
        for lib in (chainrule, torch):
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.are_deterministic_algorithms_enabled() is True
            assert lib.is_deterministic_algorithms_warn_only_enabled() is True
            with pytest.raises(TypeError, match="must be bool"):
                lib.use_deterministic_algorithms("yes")
    finally:
        for lib in (chainrule, torch):
            lib.use_deterministic_algorithms(False)
    assert chainrule.are_deterministic_algorithms_enabled() is False


LEGACY = ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructors_match_torch(name):
    ours, theirs = getattr(chainrule, name), getattr(torch, name)
    assert repr(ours) == repr(theirs) == f"<class 'torch.{name}'>"
    for data in ([1.7, -2.5, 0.0], [[1, 0], [3, 4]], np.array([0.5, 2.0])):
        a, b = ours(data), theirs(data)
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert tuple(ours(2, 3).shape) == tuple(theirs(2, 3).shape) == (2, 3)
    assert tuple(ours(chainrule.Size([4])).shape) == (4,)
    assert tuple(ours().shape) == tuple(theirs().shape) == (0,)
    assert str(ours.dtype) == str(theirs.dtype)
    with pytest.raises(TypeError, match="data must be a sequence"):
        ours(3.5)
    assert not issubclass(ours, chainrule.Tensor)


def test_legacy_isinstance_follows_the_dtype():
    for lib in (chainrule, torch):
        x = lib.zeros(2)
        assert isinstance(x, lib.FloatTensor) and not isinstance(x, lib.DoubleTensor)
        assert isinstance(x.double(), lib.DoubleTensor)
        assert isinstance(lib.tensor([1, 2]), lib.LongTensor)
        assert isinstance(lib.tensor([True]), lib.BoolTensor)
        assert isinstance(lib.zeros(2, dtype=lib.int32), lib.IntTensor)
        assert isinstance(lib.nn.Parameter(lib.zeros(2)), lib.FloatTensor)
        assert isinstance(x.requires_grad_() * 2, lib.FloatTensor)
        assert not isinstance(3.0, lib.FloatTensor)
    t = chainrule.zeros(2)
    assert chainrule.FloatTensor(t) is t
    with pytest.raises(TypeError, match="expects a tensor of dtype torch.int64"):
        chainrule.LongTensor(t)


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_type_names_match_torch(dtype):
    ours = chainrule.zeros(2, dtype=getattr(chainrule, dtype))
    theirs = torch.zeros(2, dtype=getattr(torch, dtype))
    assert ours.type() == theirs.type()


def test_type_converts_as_torch():
    for lib in (chainrule, torch):
        x = lib.tensor([1.5, -2.5])
        assert str(x.type("torch.LongTensor").dtype) == "torch.int64"
        assert x.type("torch.LongTensor").tolist() == [1, -2]
        assert x.type(lib.float64).dtype == lib.float64
        assert x.type(lib.IntTensor).dtype == lib.int32
        assert x.type(lib.float32) is x and x.type("torch.FloatTensor") is x
        assert x.type(dtype="torch.DoubleTensor").dtype == lib.float64
        for bad in ("float", "torch.Float", "FloatTensor"):
            with pytest.raises(ValueError, match="invalid type"):
                x.type(bad)
    y = chainrule.tensor([1.0, 2.0], requires_grad=True)
    assert y.type(chainrule.float64).grad_fn.name() == "ToCopyBackward0"
    with pytest.raises(RuntimeError, match="CPU only"):
        y.type("torch.cuda.FloatTensor")
