"""chainrule.load takes torch.load's arguments (weights_only, map_location, file objects)."""

import io

import numpy as np
import pytest

import chainrule


@pytest.fixture
def checkpoint(tmp_path):
    model = chainrule.nn.Linear(3, 2)
    path = tmp_path / "model.safetensors"
    chainrule.save(model.state_dict(), path)
    return model, path


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights_only": True},
        {"weights_only": False},
        {"map_location": "cpu", "weights_only": True},
        {"map_location": chainrule.device("cpu")},
        {"map_location": "cpu:0"},
        {"map_location": {"cuda:0": "cpu"}},
        {"map_location": lambda storage, loc: storage},
        {"mmap": True},
    ],
)
def test_tutorial_load_lines_run(checkpoint, kwargs):
    model, path = checkpoint
    fresh = chainrule.nn.Linear(3, 2)
    fresh.load_state_dict(chainrule.load(path, **kwargs))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key].numpy(), value.numpy())


def test_load_from_a_file_object(checkpoint):
    model, path = checkpoint
    with open(path, "rb") as fh:
        loaded = chainrule.load(fh, weights_only=True)
    buffer = io.BytesIO(path.read_bytes())
    again = chainrule.load(buffer)
    for key, value in model.state_dict().items():
        assert chainrule.equal(loaded[key], value) and chainrule.equal(again[key], value)
    truncated = io.BytesIO(path.read_bytes()[:20])
    with pytest.raises(chainrule.serialization.CheckpointError, match="<file object>"):
        chainrule.load(truncated)


def test_unavailable_locations_and_pickle_modules_are_errors(checkpoint):
    _, path = checkpoint
    for where in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="CPU only, use map_location='cpu'"):
            chainrule.load(path, map_location=where)
    import pickle

    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle"):
        chainrule.load(path, pickle_module=pickle)
