"""What a graph keeps alive: only the arrays its gradient formulas need, as PyTorch.

Each measurement runs in a fresh interpreter, so no other test's imports (chainrule.viz
opens a picture capture) or garbage changes what is counted.
"""

import json
import subprocess
import sys
import textwrap

CHAIN = textwrap.dedent(
    """
    import contextlib, gc, json, sys, tracemalloc
    lib = sys.argv[1]
    if lib == "torch":
        import torch as lib_
        saved = []  # PyTorch's arrays are not traced: count what its graph saves instead
        hooks = lib_.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t.untyped_storage().nbytes()) or t, lambda t: t
        )
    else:
        import chainrule as lib_
        hooks = contextlib.nullcontext()
    x = lib_.randn(1000, 1000, dtype=lib_.float64, requires_grad=True)
    gc.collect()
    tracemalloc.start()
    with hooks:
        y = x
        for _ in range(20):
            y = y + 1.0
    if lib == "torch":
        kept = y.untyped_storage().nbytes() + sum(saved)
    else:
        kept = tracemalloc.get_traced_memory()[0]  # NumPy's buffers are traced
    y.sum().backward()
    print(json.dumps({"kept": kept, "grad_ok": bool((x.grad == 1).all())}))
    """
)


def _run(lib):
    out = subprocess.run(
        [sys.executable, "-c", CHAIN, lib], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_twenty_chained_adds_keep_no_more_than_pytorch():
    # an add with a number saves nothing for backward: only y itself stays alive
    mine, theirs = _run("chainrule"), _run("torch")
    assert mine["grad_ok"] and theirs["grad_ok"]
    assert theirs["kept"] >= 1000 * 1000 * 8
    assert mine["kept"] <= theirs["kept"] + 64 * 1024, (
        f"chainrule keeps {mine['kept'] / 2**20:.1f} MiB alive after 20 adds, "
        f"PyTorch {theirs['kept'] / 2**20:.1f} MiB"
    )
