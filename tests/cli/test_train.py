"""`python -m chainrule train` / `evaluate` end to end, on a small epoch budget."""

import json
import os
import pty
import re
import subprocess
import sys

import pytest

from chainrule.cli import main


def chainrule_cli(*args, cwd=None):
    """Run ``python -m chainrule ARGS`` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def table(stdout):
    """The rows of the final table: {"train": (loss, score), "test": (loss, score)}."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("train", "test"):
            rows[parts[0]] = (float(parts[1]), float(parts[2]))
    return rows


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits")
    result = chainrule_cli(
        "train",
        "--epochs",
        "3",
        "--batch-size",
        "64",
        "--hidden",
        "32",
        "--seed",
        "1",
        "--out",
        str(out),
    )
    return out, result


def test_train_writes_checkpoint_curves_and_history(digits_run):
    out, result = digits_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(out)) == ["history.json", "learning_curves.png", "model.safetensors"]
    assert (out / "learning_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    history = json.loads((out / "history.json").read_text())
    assert len(history["test_score"]) == 3
    rows = table(result.stdout)
    assert rows["test"][1] > 0.5  # chance is 0.1 on ten digits
    assert rows["test"][1] == pytest.approx(history["test_score"][-1], abs=1e-4)
    assert "digits" in result.stdout and "64-32-10 relu" in result.stdout


def test_without_a_terminal_each_epoch_is_one_plain_line(digits_run):
    out, result = digits_run
    history = json.loads((out / "history.json").read_text())
    epochs = [line for line in result.stdout.splitlines() if line.startswith("epoch")]
    assert len(epochs) == 3
    for n, line in enumerate(epochs, start=1):
        assert re.fullmatch(
            rf"epoch +{n}/3  loss \d\.\d{{4}}  accuracy \d\.\d{{4}}  "
            rf"test_loss {history['test_loss'][n - 1]:.4f}  "
            rf"test_accuracy {history['test_score'][n - 1]:.4f}",
            line,
        ), line
    assert "\r" not in result.stdout + result.stderr  # no bar redrawn in the log
    assert "batch/s" not in result.stderr


def test_on_a_terminal_each_epoch_is_a_progress_bar(tmp_path):
    """stdout a pseudo-terminal: tqdm redraws a bar on stderr, no plain epoch lines."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "chainrule", "train", "--dataset", "breast_cancer"]
            + ["--epochs", "1", "--hidden", "4", "--test-fraction", "0.8", "--out", str(tmp_path)],
            stdout=follower,
            stderr=subprocess.PIPE,  # bytes: text mode would turn the bar's \r into \n
            timeout=120,
            check=False,
        )
    finally:
        os.close(follower)
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed and drained
                break
            if not chunk:
                break
            screen += chunk
        os.close(leader)
    bar = result.stderr.decode()
    assert result.returncode == 0, bar
    assert "epoch   1/1" in bar and "\r" in bar and "batch/s" in bar
    assert "test_accuracy=" in bar  # the finished bar keeps the epoch's figures
    assert "split" in screen.decode()  # the report went to the terminal
    assert not re.search(r"^epoch ", screen.decode(), flags=re.M)


def test_evaluate_reproduces_the_figures(digits_run):
    out, result = digits_run
    evaluated = chainrule_cli("evaluate", "--checkpoint", str(out / "model.safetensors"))
    assert evaluated.returncode == 0, evaluated.stderr
    assert table(evaluated.stdout) == table(result.stdout)


def test_same_seed_same_numbers_binary_task(tmp_path, capsys):
    def run(out):
        code = main(
            [
                "train",
                "--dataset",
                "breast_cancer",
                "--epochs",
                "2",
                "--hidden",
                "16",
                "--optimizer",
                "adam",
                "--seed",
                "3",
                "--no-progress",
                "--out",
                str(out),
            ]
        )
        assert code == 0
        return capsys.readouterr().out

    first, second = run(tmp_path / "a"), run(tmp_path / "b")
    assert table(first) == table(second)
    assert table(first)["test"][1] > 0.6  # chance is about 0.63 for the majority class
    assert (
        json.loads((tmp_path / "a" / "history.json").read_text())["test_loss"]
        == json.loads((tmp_path / "b" / "history.json").read_text())["test_loss"]
    )
    assert main(["evaluate", "--checkpoint", str(tmp_path / "a" / "model.safetensors")]) == 0
    assert table(capsys.readouterr().out) == table(first)


def test_regression_reports_r2_and_evaluates(tmp_path, capsys):
    code = main(
        [
            "train",
            "--dataset",
            "diabetes",
            "--epochs",
            "3",
            "--activation",
            "tanh",
            "--no-progress",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    trained = capsys.readouterr().out
    assert "r2" in trained and table(trained)["train"][1] > 0.0
    assert main(["evaluate", "--checkpoint", str(tmp_path / "model.safetensors")]) == 0
    assert table(capsys.readouterr().out) == table(trained)


def test_bad_option_in_a_real_process_is_one_line_and_exit_2():
    result = chainrule_cli("train", "--dataset", "mnist")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid choice: 'mnist'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lr", "-0.1"], "--lr: must be a positive number"),
        (["--lr=0"], "--lr: must be a positive number"),
        (["--hidden", "64,0"], "hidden sizes must be positive"),
        (["--hidden", "a,b"], "comma-separated"),
        (["--epochs", "0"], "--epochs: must be a positive integer"),
        (["--batch-size", "-4"], "--batch-size: must be a positive integer"),
        (["--activation", "softsign"], "invalid choice"),
        (["--optimizer", "rmsprop"], "invalid choice"),
    ],
)
def test_bad_options_exit_2_with_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_unwritable_out_exits_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["train", "--out", str(blocker / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a writable folder" in err


def test_evaluate_bad_checkpoint_exits_2(tmp_path, capsys):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"junk")
    assert main(["evaluate", "--checkpoint", str(junk)]) == 2
    assert main(["evaluate", "--checkpoint", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
