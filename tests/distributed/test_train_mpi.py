"""`mpirun -n 2 python -m chainrule train` trains data-parallel and matches one process."""

import json

import numpy as np
from mpi_helpers import mpirun

import chainrule
from chainrule.cli import main

# 111 training rows in batches of 5: ranks take 2 and 3 rows of each batch, and of the
# last batch (1 row) rank 0 takes none
ARGS = [
    "train",
    "--dataset",
    "breast_cancer",
    "--test-fraction",
    "0.805",
    "--batch-size",
    "5",
    "--hidden",
    "8",
    "--epochs",
    "2",
    "--seed",
    "4",
]


def test_two_processes_match_one_process_with_the_same_global_batch(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path / "one")]) == 0
    one = capsys.readouterr().out
    result = mpirun("-m", "chainrule", *ARGS, "--out", tmp_path / "two", timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    two = result.stdout

    assert "111 train" in one
    assert "processes: 2, data-parallel" in two and "processes:" not in one
    # rank 0 alone reports: the same epoch lines and final table, printed once
    lines = [line for line in one.splitlines() if line.startswith(("epoch", "train ", "test "))]
    assert len(lines) == 4
    assert [line for line in two.splitlines() if line.startswith(("epoch", "train ", "test "))] == (
        lines
    )
    # and writes the files; the weights agree to float32 rounding
    first = chainrule.load(str(tmp_path / "one" / "model.safetensors"))
    second = chainrule.load(str(tmp_path / "two" / "model.safetensors"))
    assert sorted(first) == sorted(second)
    for key in first:
        np.testing.assert_allclose(second[key].numpy(), first[key].numpy(), rtol=1e-5, atol=1e-6)
    history = json.loads((tmp_path / "two" / "history.json").read_text())
    reference = json.loads((tmp_path / "one" / "history.json").read_text())
    assert (history["processes"], reference["processes"]) == (2, 1)
    np.testing.assert_allclose(history["test_loss"], reference["test_loss"], rtol=1e-5)
