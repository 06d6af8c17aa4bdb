"""LBFGS follows PyTorch's iterates: Rosenbrock and logistic regression, with and without the
strong-Wolfe line search, compared parameter by parameter after every ``step``.

Rosenbrock's curved valley amplifies rounding: the two libraries sum ``|g|`` and dot products in
different orders (1 ulp apart at the first step), and after ~30 iterations the paths drift
past 1e-10.  The Rosenbrock runs therefore stop at 4 steps of at most 6 iterations (drift
~1e-13); the stopping rules are checked on a logistic regression run to convergence.
examples/lbfgs_fit.py runs with torch and with chainrule and prints the same losses."""

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import chainrule
from chainrule import optim

START = np.array([-1.2, 1.0, -0.5, 1.5, 0.3])


def _rosenbrock_run(lib, steps=4, **options):
    """The parameters after each ``step`` on the extended Rosenbrock function (float64), and
    the evaluation/iteration counters."""
    x = lib.tensor(START, dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([x], **{"max_iter": 5, **options})

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    trace = []
    for _ in range(steps):
        opt.step(closure)
        trace.append(x.detach().numpy().astype(np.float64))
    state = opt.state[x]
    return np.array(trace), (state["func_evals"], state["n_iter"])


ROSENBROCK_OPTIONS = {
    "fixed_step": {},
    "fixed_small_lr": {"lr": 0.2, "max_iter": 6},
    "short_history": {"history_size": 3, "max_iter": 6},
    "wolfe": {"line_search_fn": "strong_wolfe"},
    "wolfe_short": {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 6},
    "wolfe_max_eval": {"line_search_fn": "strong_wolfe", "max_iter": 6, "max_eval": 7},
}


@pytest.mark.parametrize("name", sorted(ROSENBROCK_OPTIONS))
def test_rosenbrock_iterates_match_torch(name):
    options = ROSENBROCK_OPTIONS[name]
    ours, our_counts = _rosenbrock_run(chainrule, **options)
    theirs, their_counts = _rosenbrock_run(torch, **options)
    assert our_counts == their_counts
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert not np.allclose(ours[0], START)  # it moved


def _logistic_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    w = np.array([1.5, -2.0, 0.5, 0.0])
    y = (x @ w + 0.3 + 0.5 * rng.normal(size=60) > 0).astype(np.float64)
    return x, y


def _logistic_run(lib, dtype="float64", steps=3, **options):
    """A linear layer and a frozen extra parameter (no gradient) fitted by L-BFGS with
    binary cross entropy; the parameters after each step and the losses ``step`` returned."""
    x, y = _logistic_data()
    d = getattr(lib, dtype)
    xb, yb = lib.tensor(x, dtype=d), lib.tensor(y, dtype=d)
    weight = lib.tensor(np.full((1, 4), 0.1), dtype=d, requires_grad=True)
    bias = lib.tensor(np.zeros(1), dtype=d, requires_grad=True)
    unused = lib.tensor(np.ones(2), dtype=d, requires_grad=True)  # grad stays None
    opt = lib.optim.LBFGS([weight, bias, unused], **options)

    def closure():
        opt.zero_grad()
        logits = (xb @ weight.T + bias).squeeze(1)
        loss = lib.nn.functional.binary_cross_entropy_with_logits(logits, yb)
        loss = loss + 1e-2 * (weight**2).sum()
        loss.backward()
        return loss

    params, losses = [], []
    for _ in range(steps):
        losses.append(opt.step(closure).item())
        params.append(np.concatenate([p.detach().numpy().ravel() for p in (weight, bias, unused)]))
    state = opt.state[weight]
    counts = (state["func_evals"], state["n_iter"])
    return np.array(params, dtype=np.float64), np.array(losses, dtype=np.float64), counts


LOGISTIC_OPTIONS = {
    "fixed_step": {"max_iter": 8, "history_size": 5},
    "wolfe": {"line_search_fn": "strong_wolfe", "max_iter": 8, "history_size": 5},
    # run to convergence: the gradient and change tolerances end each step
    "fixed_converge": {"max_iter": 100, "tolerance_grad": 1e-6, "tolerance_change": 1e-6},
    "wolfe_converge": {"line_search_fn": "strong_wolfe", "max_iter": 100, "max_eval": 200,
                       "tolerance_grad": 1e-9},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LOGISTIC_OPTIONS))
def test_logistic_regression_matches_torch(name):
    options = LOGISTIC_OPTIONS[name]
    ours, our_losses, our_counts = _logistic_run(chainrule, **options)
    theirs, their_losses, their_counts = _logistic_run(torch, **options)
    assert our_counts == their_counts
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-12)
    assert our_losses[-1] < our_losses[0]
    np.testing.assert_array_equal(ours[:, -2:], 1.0)  # the parameter without a gradient


def test_float32_stays_float32_and_reaches_torchs_loss():
    """In float32 the summation order of dot products differs from PyTorch's, so only the
    result is compared; the arithmetic must stay in float32 (no silent upcast)."""
    options = {"line_search_fn": "strong_wolfe", "max_iter": 30}
    ours, our_losses, _ = _logistic_run(chainrule, dtype="float32", steps=2, **options)
    theirs, their_losses, _ = _logistic_run(torch, dtype="float32", steps=2, **options)
    np.testing.assert_allclose(our_losses[-1], their_losses[-1], rtol=1e-5)
    np.testing.assert_allclose(ours[-1], theirs[-1], rtol=1e-3, atol=1e-4)
    x = chainrule.tensor(START, dtype=chainrule.float32, requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    opt.step(closure)
    state = opt.state[x]
    assert x.dtype == chainrule.float32
    assert state["d"].dtype == chainrule.float32 and state["prev_flat_grad"].dtype == x.dtype


def test_state_dict_round_trip_resumes_the_same_iterates():
    """Two steps, save, load into a fresh optimizer, two more steps: the same as four."""
    straight, _ = _rosenbrock_run(chainrule, steps=4, line_search_fn="strong_wolfe", max_iter=5)

    x = chainrule.tensor(START, dtype=chainrule.float64, requires_grad=True)

    def make():
        opt = optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=5)

        def closure():
            opt.zero_grad()
            loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
            loss.backward()
            return loss

        return opt, closure

    opt, closure = make()
    opt.step(closure)
    opt.step(closure)
    saved = opt.state_dict()
    assert set(saved["state"][0]) >= {"d", "t", "old_dirs", "old_stps", "ro", "H_diag"}
    assert saved["param_groups"][0]["line_search_fn"] == "strong_wolfe"
    resumed, closure = make()
    resumed.load_state_dict(saved)
    trace = []
    for _ in range(2):
        resumed.step(closure)
        trace.append(x.detach().numpy().copy())
    np.testing.assert_array_equal(np.array(trace), straight[2:])


def test_step_returns_the_first_loss_and_stops_at_an_optimum():
    x = chainrule.tensor([1.0, 1.0], dtype=chainrule.float64, requires_grad=True)
    opt = optim.LBFGS([x])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert isinstance(loss, chainrule.Tensor) and loss.item() == 0.0
    assert len(calls) == 1  # the gradient is already zero: one evaluation
    assert opt.state[x]["func_evals"] == 1 and opt.state[x]["n_iter"] == 0


def test_closure_runs_with_grad_enabled_and_step_does_not_record():
    x = chainrule.tensor([3.0, -1.0], dtype=chainrule.float64, requires_grad=True)
    opt = optim.LBFGS([x], max_iter=3)
    modes = []

    def closure():
        modes.append(chainrule.is_grad_enabled())
        opt.zero_grad()
        loss = (x**2).sum()
        loss.backward()
        return loss

    with chainrule.no_grad():
        opt.step(closure)
    assert modes and all(modes)
    assert x.is_leaf and x.grad_fn is None


def test_errors_match_torch():
    x = chainrule.zeros(2, requires_grad=True)
    y = chainrule.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([x], lr=-1)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.LBFGS([x], lr=chainrule.ones(2))
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [x]}, {"params": [y]}])
    with pytest.raises(TypeError):
        optim.LBFGS([x]).step()  # the closure is required, as in PyTorch
    opt = optim.LBFGS([x], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    assert optim.LBFGS([x], max_iter=8).defaults["max_eval"] == 10  # max_iter * 5 // 4


# --------------------------------------------------------------------------- the example

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lbfgs_fit.py"


def _run_example(library, argv, capsys):
    """Run examples/lbfgs_fit.py as ``__main__`` with ``torch`` naming ``library``."""
    aliases = {"torch": chainrule, "torch.nn": chainrule.nn, "torch.optim": chainrule.optim}
    saved = {name: sys.modules.get(name) for name in aliases}
    old_argv, sys.argv = sys.argv, [EXAMPLE.name, *argv]
    if library == "chainrule":
        sys.modules.update(aliases)
    try:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    finally:
        sys.argv = old_argv
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        torch.set_default_dtype(torch.float32)
        chainrule.set_default_dtype(chainrule.float32)
    out = capsys.readouterr().out
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]
    counts = re.search(r"function evaluations (\d+), iterations (\d+)", out).groups()
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", out).group(1))
    return losses, counts, accuracy


@pytest.mark.parametrize("line_search", ["strong_wolfe", "none"])
def test_example_runs_unchanged_on_both_libraries(line_search, capsys):
    argv = ["--steps", "5", "--line-search", line_search]
    ours = _run_example("chainrule", argv, capsys)
    theirs = _run_example("torch", argv, capsys)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-9)
    assert ours[1:] == theirs[1:]
    assert ours[0][-1] < 0.1 * ours[0][0] and ours[2] > 0.9
