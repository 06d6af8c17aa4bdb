"""Checkpoints: ``save`` and ``load`` a dict of tensors in the safetensors format.

Why safetensors: the file is a JSON header (names, dtypes, shapes, offsets) and
raw little-endian bytes, nothing else. Loading it can never run code (unlike a
pickle), and PyTorch reads and writes the same files with
``safetensors.torch.load_file`` / ``save_file``.

Why atomic: ``save`` writes a temporary file in the same folder, flushes it to
disk, then renames it over the target with ``os.replace``, which is atomic on
POSIX and Windows. A crash mid-write leaves the previous checkpoint untouched
(and at worst a stray ``.tmp`` file), never a half-written one.
"""

import json
import os
import struct
import tempfile

import numpy as np

import chainrule
from chainrule import Tensor

# every chainrule dtype; safetensors stores each under its own name (F16, I32, U8, …)
_SUPPORTED = {
    np.dtype(t): np.dtype(t).name
    for t in (
        np.float16,
        np.float32,
        np.float64,
        np.uint8,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.bool_,
    )
}
_SUPPORTED_NAMES = "float16/32/64, uint8, int8/16/32/64 or bool"
_HEADER_LIMIT = 100_000_000  # safetensors' own bound on the JSON header size


class CheckpointError(RuntimeError):
    """A file is not a readable checkpoint: truncated, corrupt, or another format."""


def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError as exc:
        raise ImportError(
            "chainrule.save/load need the safetensors package: pip install 'chainrule[nn]' "
            "(or pip install safetensors)"
        ) from exc
    return safetensors.numpy


def _to_array(name, value):
    if isinstance(value, Tensor):
        array = value.detach().numpy()
    elif isinstance(value, np.ndarray):
        array = value
    else:
        raise TypeError(
            f"chainrule.save: value for key {name!r} is a {type(value).__name__}; a checkpoint "
            "holds tensors only (store other values in metadata=)"
        )
    if array.dtype not in _SUPPORTED:
        raise TypeError(
            f"chainrule.save: tensor {name!r} has dtype {array.dtype}, which chainrule does not "
            f"support; convert it to {_SUPPORTED_NAMES}"
        )
    return np.ascontiguousarray(array)


def save(obj, f, metadata=None):
    """Save a flat dict of tensors (a ``state_dict``) to the file ``f``, atomically.

    Args:
        obj: a dict from string keys to chainrule Tensors (or NumPy arrays).
        f: the file path (``str`` or ``os.PathLike``).
        metadata: an optional dict of strings to strings, stored in the file's header
            (hyperparameters, data-set names: anything ``load_metadata`` should return).

    Example:
        >>> chainrule.save(model.state_dict(), "model.safetensors")
        >>> model.load_state_dict(chainrule.load("model.safetensors"))
    """
    if not isinstance(obj, dict):
        raise TypeError(
            f"chainrule.save expects a dict of tensors such as model.state_dict(), got "
            f"{type(obj).__name__}; chainrule checkpoints are safetensors files, with no pickle"
        )
    for key in obj:
        if not isinstance(key, str):
            raise TypeError(f"chainrule.save: keys must be strings, got {key!r}")
    if metadata is not None:
        bad = [k for k, v in metadata.items() if not (isinstance(k, str) and isinstance(v, str))]
        if bad:
            raise TypeError(
                f"chainrule.save: metadata must map strings to strings; bad entries: {bad} "
                "(encode other values, e.g. with json.dumps)"
            )
    arrays = {key: _to_array(key, value) for key, value in obj.items()}
    payload = _safetensors_numpy().save(arrays, metadata=metadata)
    _atomic_write(os.fspath(f), payload)


def _atomic_write(path, payload):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        try:
            os.unlink(tmp_path)
        except FileNotFoundError:
            pass
        raise


def _read_bytes(f):
    """``f``'s bytes and a name for messages; ``f`` is a path or a binary file object."""
    if hasattr(f, "read"):
        return f.read(), getattr(f, "name", "<file object>")
    path = os.fspath(f)
    with open(path, "rb") as fh:
        return fh.read(), path


def _read_checked(f):
    """The file's bytes, name and parsed header, or a CheckpointError saying what is wrong."""
    data, path = _read_bytes(f)
    where = f"cannot load {path!r}"
    if len(data) < 8:
        raise CheckpointError(
            f"{where}: the file is {len(data)} bytes long, too short to be a safetensors "
            "checkpoint (truncated or empty)"
        )
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > _HEADER_LIMIT:
        raise CheckpointError(
            f"{where}: not a safetensors checkpoint (its first 8 bytes do not give a valid "
            "header length); was it written by torch.save (pickle)? Use chainrule.save"
        )
    if 8 + header_len > len(data):
        raise CheckpointError(
            f"{where}: the file is truncated: its header needs {header_len} bytes but only "
            f"{len(data) - 8} follow"
        )
    try:
        header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(
            f"{where}: the header is not valid JSON ({exc}); corrupt file"
        ) from exc
    if not isinstance(header, dict):
        raise CheckpointError(f"{where}: the header is not a JSON object; corrupt file")
    body = len(data) - 8 - header_len
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            end = int(info["data_offsets"][1])
        except (TypeError, KeyError, IndexError, ValueError) as exc:
            raise CheckpointError(f"{where}: entry {key!r} of the header is malformed") from exc
        if end > body:
            raise CheckpointError(
                f"{where}: the file is truncated: tensor {key!r} ends at byte {end} of the "
                f"data section, which has only {body} bytes"
            )
    return data, path, header


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **kwargs):
    """Load a checkpoint written by :func:`save` (or by ``safetensors.torch.save_file``).

    Takes ``torch.load``'s arguments so that PyTorch code runs unchanged: a checkpoint holds
    tensors only and is never unpickled, so loading is always ``weights_only``; every tensor
    is on the CPU, so ``map_location`` may be ``'cpu'``, a CPU device, a dict or a function
    (any other device is an error); ``mmap`` is accepted and the file read whole.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a binary file object.

    Returns:
        a dict from key to chainrule Tensor, in the order of the file.

    Raises:
        CheckpointError: the file is truncated, corrupt or not a safetensors file.
        FileNotFoundError: no such file.
    """
    if pickle_module is not None:
        raise RuntimeError(
            "Can not safely load weights when explicit pickle_module is specified "
            "(chainrule checkpoints are safetensors files and are never unpickled)"
        )
    if isinstance(map_location, (str, chainrule.device)):
        where = str(map_location).partition(":")[0]
        if where != "cpu":
            raise RuntimeError(
                f"chainrule.load: map_location={str(map_location)!r} is not available; "
                "chainrule runs on the CPU only, use map_location='cpu'"
            )
    data, path, header = _read_checked(f)
    try:
        arrays = _safetensors_numpy().load(data)
    except Exception as exc:  # safetensors raises its own error type for bad content
        raise CheckpointError(f"cannot load {path!r}: corrupt safetensors file ({exc})") from exc
    result = {}
    for key in (k for k in header if k != "__metadata__"):
        array = arrays[key]
        if array.dtype not in _SUPPORTED:
            raise CheckpointError(
                f"cannot load {path!r}: tensor {key!r} has dtype {array.dtype}, which chainrule "
                f"does not support ({_SUPPORTED_NAMES}); convert it before saving"
            )
        result[key] = chainrule.from_numpy(np.array(array, copy=True))
    return result


def load_metadata(f):
    """The string metadata stored by ``save(..., metadata=...)`` (empty dict if none)."""
    _, path, header = _read_checked(f)
    metadata = header.get("__metadata__") or {}
    if not isinstance(metadata, dict):
        raise CheckpointError(f"cannot load {path!r}: its metadata is not a JSON object")
    return dict(metadata)
