"""examples/lenet_digits.py is a PyTorch program: it runs unchanged with the real ``torch``
and with ``torch`` naming chainrule, and both reach the same test accuracy (>= 0.95); from
identical weights and batches the two libraries follow the same training trajectory."""

import contextlib
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

import chainrule
import chainrule.nn.functional
import chainrule.optim
import chainrule.optim.lr_scheduler
import chainrule.utils.data

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lenet_digits.py"
ALIASES = {
    "torch": chainrule,
    "torch.nn": chainrule.nn,
    "torch.nn.functional": chainrule.nn.functional,
    "torch.optim": chainrule.optim,
    "torch.optim.lr_scheduler": chainrule.optim.lr_scheduler,
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


def _run_example(capsys, *argv):
    old_argv = sys.argv
    sys.argv = [str(EXAMPLE), *argv]
    try:
        runpy.run_path(str(EXAMPLE), run_name="__main__")
    finally:
        sys.argv = old_argv
    out = capsys.readouterr().out
    return [float(a) for a in re.findall(r"test accuracy (\d\.\d+)", out)], out


def test_example_reaches_the_same_accuracy_with_torch_and_with_chainrule(capsys):
    final = {}
    for library in ("torch", "chainrule"):
        # one BLAS thread, as torch runs here: small GEMMs on threads that the other
        # test workers also want are many times slower
        with torch_named(library), threadpool_limits(limits=1, user_api="blas"):
            accuracies, out = _run_example(capsys, "--epochs", "4")
        assert len(accuracies) == 4 and accuracies[-1] >= 0.95, (library, out)
        final[library] = accuracies[-1]
    assert "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))" in out
    # different random initialisation and batch order: equal within a few test digits
    assert abs(final["chainrule"] - final["torch"]) <= 0.03, final
    assert sys.modules["torch"] is torch  # the alias did not leak


def _lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def test_same_weights_and_batches_give_the_same_training_run():
    """float32 LeNet, Adam, 15 steps from torch's initial weights on the same batches:
    losses and weights stay equal to float32 rounding."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((15, 16, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, (15, 16))
    t_model, c_model = _lenet(torch), _lenet(chainrule)
    c_model.load_state_dict({k: v.numpy().copy() for k, v in t_model.state_dict().items()})
    t_opt = torch.optim.Adam(t_model.parameters(), lr=1e-3)
    c_opt = chainrule.optim.Adam(c_model.parameters(), lr=1e-3)
    for step in range(15):
        losses = []
        for lib, model, opt in ((torch, t_model, t_opt), (chainrule, c_model, c_opt)):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x[step])), lib.tensor(y[step]))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    for (name, t), c in zip(t_model.named_parameters(), c_model.parameters()):
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), atol=1e-5, err_msg=name)
