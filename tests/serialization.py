"""Checkpoints: safetensors round trips with PyTorch, atomic writes, clear errors on bad files."""

import os

import numpy as np
import pytest
import safetensors.torch
import torch

import chainrule
from chainrule import nn
from chainrule.serialization import CheckpointError, load, load_metadata, save

torch.set_num_threads(1)


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))


def _arrays(state):
    return {
        k: np.asarray(v.detach().numpy() if hasattr(v, "detach") else v) for k, v in state.items()
    }


def test_chainrule_to_file_to_chainrule(tmp_path):
    path = tmp_path / "model.safetensors"
    model = mlp(chainrule)
    extra = {
        "step": chainrule.tensor(12),
        "mask": chainrule.tensor([True, False]),
        "double": chainrule.tensor([1.5, -2.25], dtype=chainrule.float64),
    }
    save({**model.state_dict(), **extra}, path)
    loaded = load(path)
    assert set(loaded) == set(model.state_dict()) | set(extra)
    for key, value in {**model.state_dict(), **extra}.items():
        assert loaded[key].dtype == value.dtype, key
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy(), err_msg=key)
    fresh = mlp(chainrule)
    fresh.load_state_dict({k: v for k, v in loaded.items() if k not in extra})
    x = chainrule.randn(2, 4)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())
    # The loaded tensors are independent, writable copies.
    with chainrule.no_grad():
        loaded["step"].add_(1)


def test_chainrule_file_loads_in_pytorch(tmp_path):
    path = tmp_path / "model.safetensors"
    ours = mlp(chainrule)
    save(ours.state_dict(), path)
    theirs = mlp(torch)
    theirs.load_state_dict(safetensors.torch.load_file(str(path)))
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        theirs(torch.tensor(x)).detach().numpy(),
        ours(chainrule.tensor(x)).detach().numpy(),
        rtol=1e-6,
        atol=1e-6,
    )


def test_pytorch_file_loads_in_chainrule(tmp_path):
    path = tmp_path / "torch.safetensors"
    theirs = mlp(torch)
    safetensors.torch.save_file(theirs.state_dict(), str(path), metadata={"origin": "torch"})
    ours = mlp(chainrule)
    ours.load_state_dict(load(path))
    for key, value in _arrays(theirs.state_dict()).items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value)
    assert load_metadata(path) == {"origin": "torch"}


def test_metadata_round_trip(tmp_path):
    path = tmp_path / "m.safetensors"
    save({"w": chainrule.ones(2)}, path, metadata={"dataset": "digits", "hidden": "64,64"})
    assert load_metadata(path) == {"dataset": "digits", "hidden": "64,64"}
    save({"w": chainrule.ones(2)}, path)
    assert load_metadata(path) == {}


def test_save_overwrites_atomically_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"w": chainrule.zeros(3)}, path)
    save({"w": chainrule.ones(3)}, path)
    assert load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_interrupted_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    save({"w": chainrule.full((1000,), 2.0)}, path)
    before = path.read_bytes()

    class Crash(Exception):
        pass

    real_write = os.fdopen

    def crashing_fdopen(fd, mode):
        handle = real_write(fd, mode)

        class HalfWriter:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()
                return False

            def write(self, payload):
                handle.write(payload[: len(payload) // 2])  # half the bytes reach the disk...
                handle.flush()
                raise Crash("power cut")  # ...then the process dies

        return HalfWriter()

    monkeypatch.setattr(os, "fdopen", crashing_fdopen)
    with pytest.raises(Crash):
        save({"w": chainrule.full((1000,), 3.0)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load(path)["w"].numpy()[0] == 2.0
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]  # the partial temp file is removed


def test_crash_before_rename_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    save({"w": chainrule.zeros(4)}, path)

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        save({"w": chainrule.ones(4)}, path)
    monkeypatch.undo()
    assert load(path)["w"].tolist() == [0.0] * 4
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


@pytest.mark.parametrize("cut", [0, 5, 8, 40, -3])
def test_truncated_file_gives_a_clear_error(tmp_path, cut):
    path = tmp_path / "ckpt.safetensors"
    save(mlp(chainrule).state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[: len(data) + cut])
    with pytest.raises(CheckpointError, match="truncated|too short") as info:
        load(path)
    assert str(path) in str(info.value)


def test_corrupt_header_gives_a_clear_error(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"w": chainrule.ones(4)}, path)
    data = bytearray(path.read_bytes())
    data[9:14] = b"#####"
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupt"):
        load(path)


@pytest.mark.parametrize(
    "content", [b"not a checkpoint at all, just some text", b"\x00" * 64, os.urandom(256)]
)
def test_non_checkpoint_files_give_a_clear_error(tmp_path, content):
    path = tmp_path / "junk.bin"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="cannot load"):
        load(path)


def test_a_pickle_is_refused_not_run(tmp_path):
    path = tmp_path / "model.pt"
    torch.save(mlp(torch).state_dict(), str(path))
    with pytest.raises(CheckpointError, match="cannot load"):
        load(path)


def test_unsupported_dtype_from_pytorch_is_named(tmp_path):
    path = tmp_path / "uint16.safetensors"
    safetensors.torch.save_file({"w": torch.ones(2, dtype=torch.uint16)}, str(path))
    with pytest.raises(CheckpointError, match="uint16"):
        load(path)


def test_save_rejects_what_safetensors_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match="dict of tensors"):
        save([chainrule.ones(1)], tmp_path / "x")
    with pytest.raises(TypeError, match="holds tensors only"):
        save({"lr": 0.1}, tmp_path / "x")
    with pytest.raises(TypeError, match="strings to strings"):
        save({"w": chainrule.ones(1)}, tmp_path / "x", metadata={"epochs": 3})
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.safetensors")


def test_parameters_with_grad_save_fine(tmp_path):
    p = nn.Parameter(chainrule.ones(2))
    (p * 3).sum().backward()
    save({"p": p}, tmp_path / "p.safetensors")
    assert load(tmp_path / "p.safetensors")["p"].tolist() == [1.0, 1.0]
