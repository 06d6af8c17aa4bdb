"""``python -m chainrule demo``: end to end, plus its safe expression parser."""

import os
import subprocess
import sys

import pytest

from chainrule.cli import main
from chainrule.cli.demo import ExpressionError, parse_expression, parse_values, variables

SNIPPET = [
    "tensor(11., grad_fn=<AddBackward0>) tensor(16., grad_fn=<PowBackward0>)",
    "tensor(176., grad_fn=<MulBackward0>)",
    "tensor(16.) tensor(48.) tensor(88.)",
]
FILES = ["forward.svg", "forward.png", "backward.svg", "backward.png", "backprop.html"]


def _demo(*args, cwd=None):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "chainrule", "demo", *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def test_textbook_demo_end_to_end(tmp_path):
    out = tmp_path / "pictures"
    result = _demo("--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    printed = [line for line in lines if line.startswith("tensor(")]
    assert printed == SNIPPET
    assert ">>> q = a + 3 * b" in lines and ">>> L.backward()" in lines
    for result_text in ("∂L/∂q = 16", "∂L/∂a = 16", "∂L/∂b = 48", "∂L/∂r = 11", "∂L/∂c = 88"):
        assert any(result_text + "." in line for line in lines), result_text
    for name in FILES:
        assert (out / name).stat().st_size > 500, name
    assert (out / "forward.png").read_bytes()[:4] == b"\x89PNG"
    assert 'class="grad"' not in (out / "forward.svg").read_text(encoding="utf-8")
    assert 'class="grad"' in (out / "backward.svg").read_text(encoding="utf-8")
    assert str(out.resolve()) in result.stdout
    assert result.stderr == ""


def test_default_folder(tmp_path):
    result = _demo(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "chainrule-demo")) == sorted(FILES)


def test_own_expression(tmp_path):
    result = _demo(
        "--expr", "sigmoid(x*w + b) ** 2", "--values", "x=1.5,w=-2,b=0.5", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert ">>> L = sigmoid(x * w + b) ** 2" in result.stdout
    assert "grad_fn=<PowBackward0>" in result.stdout
    assert (tmp_path / "backprop.html").exists()


@pytest.mark.parametrize(
    "expr, values, message",
    [
        ("__import__('os').system('echo hi')", "", "not an allowed function"),
        ("a.real + 1", "a=1", "not allowed"),
        ("a +", "a=1", "cannot parse"),
        ("a + d", "a=1", "no value for d"),
        ("a * 2", "a=x", "not a number"),
        ("a * 2", "a=1,b=2", "does not use"),
        ("[a for a in b]", "a=1", "not allowed"),
        ("exp(a, a)", "a=1", "exactly one argument"),
        ("a if a else a", "a=1", "not allowed"),
        ("2 ** 3", "", "no names"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, expr, values, message):
    args = ["demo", "--expr", expr, "--out", str(tmp_path / "never")]
    if values:
        args += ["--values", values]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert not (tmp_path / "never").exists()


def test_bad_expression_from_the_shell(tmp_path):
    result = _demo("--expr", "open('/etc/passwd')", "--out", str(tmp_path / "never"))
    assert result.returncode == 2
    assert result.stderr.startswith("chainrule demo: error: 'open' is not an allowed function")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_parser_allows_only_arithmetic_names_and_listed_functions():
    tree = parse_expression("-(a + 3*b) * c**2 / exp(d) - relu(a)")
    assert variables(tree) == ["a", "b", "c", "d"]
    for bad in (
        "a @ b",
        "a // b",
        "a and b",
        "f(a)",
        "a[0]",
        "lambda: a",
        "'text'",
        "True",
        "not a",
        "a < b",
        "exp(x=a)",
    ):
        with pytest.raises(ExpressionError):
            parse_expression(bad)


def test_values():
    assert parse_values("a=2, b=-3.5,c=1e-3") == {"a": 2.0, "b": -3.5, "c": 0.001}
    for bad in ("a", "a=1,a=2", "1a=2", "a=two"):
        with pytest.raises(ExpressionError):
            parse_values(bad)
