"""The language-model examples (examples/char_lstm.py, examples/tiny_gpt.py) are PyTorch
programs: each runs unchanged with the real ``torch`` and with ``torch`` naming chainrule,
and both runs learn (the validation loss falls well below the uniform guess, ln V) to
comparable losses.  NumPy's BLAS runs on one thread here, as torch does in the test suite:
the examples' many small GEMMs only lose from a second thread on a shared machine."""

import contextlib
import math
import re
import runpy
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

import chainrule
import chainrule.nn.functional
import chainrule.nn.init
import chainrule.nn.utils
import chainrule.optim
import chainrule.utils.data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ALIASES = {
    "torch": chainrule,
    "torch.nn": chainrule.nn,
    "torch.nn.functional": chainrule.nn.functional,
    "torch.nn.init": chainrule.nn.init,
    "torch.nn.utils": chainrule.nn.utils,
    "torch.optim": chainrule.optim,
    "torch.utils": chainrule.utils,
    "torch.utils.data": chainrule.utils.data,
}


@contextlib.contextmanager
def torch_named(library):
    """``import torch`` (and its submodules) gives ``library`` inside the block."""
    if library == "torch":
        yield
        return
    saved = {name: sys.modules.get(name) for name in ALIASES}
    sys.modules.update(ALIASES)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def run_example(script, library, argv, capsys):
    """Run ``examples/<script>`` as ``__main__``; return (vocabulary size, val losses)."""
    old_argv = sys.argv
    sys.argv = [script, *argv]
    try:
        with torch_named(library), threadpool_limits(limits=1):
            runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    finally:
        sys.argv = old_argv
    out = capsys.readouterr().out
    vocab = int(re.search(r"ln\((\d+)\)", out).group(1))
    losses = [float(v) for v in re.findall(r"val loss (\d+\.\d+)", out)]
    assert "sample:" in out
    return vocab, losses


@pytest.mark.parametrize(
    "script, argv, fraction, spread",
    [
        ("char_lstm.py", ["--steps", "40", "--sample", "20"], 0.4, 0.35),
        ("tiny_gpt.py", ["--steps", "100", "--sample", "20"], 0.8, 0.25),
    ],
)
def test_example_learns_with_torch_and_with_chainrule(script, argv, fraction, spread, capsys):
    final = {}
    for library in ("torch", "chainrule"):
        vocab, losses = run_example(script, library, argv, capsys)
        assert len(losses) >= 3
        assert losses[0] > 0.9 * math.log(vocab)  # starts at the uniform guess
        assert losses[-1] < fraction * math.log(vocab), (library, losses)
        final[library] = losses[-1]
    assert abs(final["chainrule"] - final["torch"]) < spread, final


def test_tiny_gpt_hand_written_attention_runs_on_chainrule(capsys):
    argv = ["--steps", "30", "--sample", "5", "--manual-attention"]
    vocab, losses = run_example("tiny_gpt.py", "chainrule", argv, capsys)
    assert losses[-1] < losses[0]
    assert "torch" not in {m.__name__ for m in ALIASES.values()}  # the alias did not leak
    assert sys.modules["torch"].__name__ == "torch"
