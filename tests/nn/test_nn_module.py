"""Module bookkeeping: registration, traversal, modes, state_dict, repr, Parameter, init."""

import numpy as np
import pytest
import torch
from nn_helpers import as_np, copy_params

import chainrule
from chainrule import nn


def mlp(lib):
    return lib.nn.Sequential(
        lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2)
    )


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 5)
        self.out = nn.Linear(5, 1)
        self.register_buffer("scale", chainrule.ones(1))
        self.note = "not registered"

    def forward(self, x):
        return self.out(chainrule.relu(self.hidden(x))) * self.scale


# --------------------------------------------------------------------------- Parameter


def test_parameter_shares_data_and_is_a_leaf():
    data = chainrule.zeros(2, 3)
    p = nn.Parameter(data)
    assert isinstance(p, chainrule.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    with chainrule.no_grad():
        data.add_(1.0)
    np.testing.assert_array_equal(as_np(p), np.ones((2, 3)))
    assert not nn.Parameter(chainrule.zeros(2), requires_grad=False).requires_grad
    assert nn.Parameter.__slots__ == ()


def test_parameter_repr_matches_torch():
    values = [[1.0, 2.0], [3.0, 4.0]]
    ours = repr(nn.Parameter(chainrule.tensor(values)))
    assert ours.startswith("Parameter containing:\ntensor(")
    assert ours == repr(torch.nn.Parameter(torch.tensor(values)))


def test_parameter_takes_gradients():
    p = nn.Parameter(chainrule.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    np.testing.assert_array_equal(as_np(p.grad), [2.0, 4.0])


# --------------------------------------------------------------------------- registration


def test_attributes_register_parameters_buffers_and_children():
    model = TwoLayer()
    assert [name for name, _ in model.named_parameters()] == [
        "hidden.weight",
        "hidden.bias",
        "out.weight",
        "out.bias",
    ]
    assert [name for name, _ in model.named_buffers()] == ["scale"]
    assert [name for name, _ in model.named_children()] == ["hidden", "out"]
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == [
        "scale",
        "hidden.weight",
        "hidden.bias",
        "out.weight",
        "out.bias",
    ]
    assert "note" not in model.state_dict()
    assert tuple(model(chainrule.ones(2, 3)).shape) == (2, 1)


def test_names_match_torch_for_the_same_architecture():
    ours, theirs = mlp(chainrule), mlp(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_reassignment_and_deletion():
    model = TwoLayer()
    model.hidden = nn.Linear(3, 5, bias=False)
    assert model.hidden.bias is None
    assert "hidden.bias" not in model.state_dict()
    with pytest.raises(TypeError, match="Parameter or None"):
        model.hidden.weight = chainrule.zeros(5, 3)
    del model.out
    assert [name for name, _ in model.named_children()] == ["hidden"]
    with pytest.raises(AttributeError, match="no attribute 'out'"):
        _ = model.out


def test_assigning_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_forward_missing_is_reported():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


# --------------------------------------------------------------------------- modes, grads, apply


def test_train_eval_propagate():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.Dropout()))
    model.eval()
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    x = chainrule.ones(1, 2)
    model.eval()
    np.testing.assert_array_equal(as_np(model(x)), as_np(model[0](x)))


def test_zero_grad():
    model = TwoLayer()
    model(chainrule.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(float(as_np(p.grad).sum()) == 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_apply_visits_children_first():
    model = mlp(chainrule)
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Tanh", "Linear", "Sequential"]

    def zero_bias(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)

    model.apply(zero_bias)
    assert all(not as_np(m.bias).any() for m in model if isinstance(m, nn.Linear))


def test_requires_grad_and_dtype_conversion():
    model = mlp(chainrule)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_(True).double()
    assert all(
        p.dtype == chainrule.float64 and isinstance(p, nn.Parameter) for p in model.parameters()
    )
    assert model(chainrule.ones(1, 4, dtype=chainrule.float64)).dtype == chainrule.float64


# --------------------------------------------------------------------------- containers


def test_sequential_indexing_and_slicing():
    model = mlp(chainrule)
    assert len(model) == 5
    assert isinstance(model[-1], nn.Linear) and model[-1] is model[4]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    with pytest.raises(IndexError, match="out of range"):
        model[5]
    named = nn.Sequential({"fc": nn.Linear(2, 3), "act": nn.ReLU()})
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    named.append(nn.Linear(3, 1))
    assert tuple(named(chainrule.ones(4, 2)).shape) == (4, 1)


def test_module_list():
    layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(3)])
    layers.append(nn.ReLU())
    assert len(layers) == 4 and len(list(layers.parameters())) == 6
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and isinstance(layers[4], nn.ReLU)
    assert next(n for n, _ in layers.named_parameters()) == "1.weight"


# --------------------------------------------------------------------------- repr


def test_sequential_repr_matches_torch():
    assert repr(mlp(chainrule)) == repr(mlp(torch))


def test_nested_and_module_list_repr_match_torch():
    def build(lib):
        inner = lib.nn.ModuleList([lib.nn.Linear(3, 3) for _ in range(3)] + [lib.nn.GELU()])
        return lib.nn.Sequential(
            lib.nn.Flatten(),
            lib.nn.Dropout(0.1),
            lib.nn.LeakyReLU(0.2),
            lib.nn.Sequential(lib.nn.Identity(), lib.nn.Softmax(dim=1)),
            inner,
            lib.nn.Linear(3, 1, bias=False),
            lib.nn.Sigmoid(),
            lib.nn.LogSoftmax(dim=1),
            lib.nn.CrossEntropyLoss(),
        )

    assert repr(build(chainrule)) == repr(build(torch))


# --------------------------------------------------------------------------- state_dict


def test_state_dict_round_trip_between_models():
    source, target = mlp(chainrule), mlp(chainrule)
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(as_np(a), as_np(b), err_msg=name)
    # Loading copies values: the target's parameters stay distinct objects.
    assert target[0].weight is not source[0].weight


def test_state_dict_from_torch_via_numpy():
    theirs, ours = mlp(torch), mlp(chainrule)
    copy_params(theirs, ours)
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        as_np(ours(chainrule.tensor(x))),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_load_state_dict_names_missing_unexpected_and_misshaped_keys():
    model = mlp(chainrule)
    state = model.state_dict()
    del state["0.bias"]
    state["9.weight"] = chainrule.zeros(1)
    state["2.weight"] = chainrule.zeros(3, 3)
    before = as_np(model[2].bias).copy()
    state["2.bias"] = chainrule.zeros(8)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "Error(s) in loading state_dict for Sequential" in message
    assert 'Missing key(s) in state_dict: "0.bias"' in message
    assert 'Unexpected key(s) in state_dict: "9.weight"' in message
    assert "size mismatch for 2.weight" in message and "[3, 3]" in message and "[8, 8]" in message
    # Nothing was copied: an error leaves the model as it was.
    np.testing.assert_array_equal(as_np(model[2].bias), before)


def test_load_state_dict_non_strict_reports_keys():
    model = mlp(chainrule)
    state = model.state_dict()
    del state["4.bias"]
    state["extra"] = chainrule.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["4.bias"] and result.unexpected_keys == ["extra"]
    state["0.weight"] = chainrule.zeros(1, 1)
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        model.load_state_dict(state, strict=False)


# --------------------------------------------------------------------------- init


def test_init_functions():
    w = nn.Parameter(chainrule.empty(200, 300))
    assert nn.init.zeros_(w) is w and not as_np(w).any()
    nn.init.ones_(w)
    assert (as_np(w) == 1).all()
    nn.init.constant_(w, 0.5)
    assert (as_np(w) == 0.5).all()
    nn.init.uniform_(w, -2, 3)
    assert as_np(w).min() >= -2 and as_np(w).max() <= 3
    nn.init.normal_(w, 1.0, 0.5)
    assert abs(as_np(w).mean() - 1.0) < 0.01 and abs(as_np(w).std() - 0.5) < 0.01
    nn.init.xavier_uniform_(w)
    bound = np.sqrt(6 / (200 + 300))
    assert np.abs(as_np(w)).max() <= bound and as_np(w).std() > 0.9 * bound / np.sqrt(3)
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = np.sqrt(2) * np.sqrt(3 / 300)
    assert np.abs(as_np(w)).max() <= bound
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(as_np(w).std() - np.sqrt(2 / 200)) < 0.05 * np.sqrt(2 / 200)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None


def test_init_with_generator_is_reproducible():
    a, b = chainrule.empty(5, 5), chainrule.empty(5, 5)
    nn.init.kaiming_uniform_(a, generator=chainrule.Generator().manual_seed(3))
    nn.init.kaiming_uniform_(b, generator=chainrule.Generator().manual_seed(3))
    np.testing.assert_array_equal(as_np(a), as_np(b))


def test_calculate_gain_matches_torch():
    for name in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        assert nn.init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain(
        "leaky_relu", 0.2
    )
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(chainrule.empty(3))
