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
    # rank 0 alone reports: the same epoch lines and final table, printed once; the
    # printed figures (4 decimals) may differ by one unit in the last digit where float32
    # rounding crosses a printed boundary
    reported = [_figures(one), _figures(two)]
    assert [labels for labels, _ in reported[0]] == [labels for labels, _ in reported[1]]
    assert len(reported[0]) == 4, one
    np.testing.assert_allclose(
        [v for _, values in reported[1] for v in values],
        [v for _, values in reported[0] for v in values],
        rtol=0,
        atol=1.01e-4,
        err_msg=f"one process:\n{one}\ntwo processes:\n{two}",
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
    for key in ("train_loss", "test_loss", "train_score", "test_score"):
        np.testing.assert_allclose(history[key], reference[key], rtol=1e-5, err_msg=key)


def _figures(stdout):
    """(the words, the numbers) of each epoch line and each row of the final table."""
    rows = []
    for line in stdout.splitlines():
        if line.startswith(("epoch", "train ", "test ")):
            words = line.split()
            labels = [w for w in words if not w.replace(".", "", 1).isdigit()]
            rows.append((labels, [float(w) for w in words if w.replace(".", "", 1).isdigit()]))
    return rows
