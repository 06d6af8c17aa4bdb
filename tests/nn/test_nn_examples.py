"""The course examples in examples/ run and fit the textbook's curve."""

import re
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script", ["textbook_two_layer_raw.py", "textbook_two_layer_nn.py"])
def test_example_runs_and_learns(script, capsys):
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    risks = [float(r) for r in re.findall(r"training risk (\d+\.\d+)", capsys.readouterr().out)]
    assert len(risks) >= 3
    # y = sin(3x) has variance about 0.4; a fitted network gets near the noise level.
    assert risks[-1] < 0.05 and risks[-1] < risks[0] / 3
