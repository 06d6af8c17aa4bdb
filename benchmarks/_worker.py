"""Benchmark worker: runs ONE (benchmark, thread count[, library]) in a fresh process.

Invoked by benchmarks/run.py as

    python benchmarks/_worker.py '<json spec>'

with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS already in the
environment.  They are set again below, before numpy or torch is imported, so the
pinning also holds when this file is run by hand.  The result is written as JSON to
spec["result_file"].

"Chainrule side" means `import chainrule`; with BENCH_SELF=1 it is torch itself, which
validates the harness (every ratio should come out ~1.0).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

SPEC = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
THREADS = int(SPEC.get("threads", os.environ.get("OMP_NUM_THREADS", "1")))
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_var] = str(THREADS)

import gc  # noqa: E402
import statistics  # noqa: E402

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SELF_TEST = os.environ.get("BENCH_SELF", "") not in ("", "0")
PERF = time.perf_counter


# --------------------------------------------------------------------------- libraries
class Lib:
    """A library under test: `t` is the top-level module (torch or chainrule)."""

    def __init__(self, label, module, modname):
        self.label = label  # "chainrule" or "torch"
        self.t = module
        self.modname = modname  # real module name to import .nn / .optim from

    @property
    def nn(self):
        import importlib

        return importlib.import_module(self.modname + ".nn")

    @property
    def optim(self):
        import importlib

        return importlib.import_module(self.modname + ".optim")


def import_torch(threads=THREADS):
    import torch

    torch.set_num_threads(threads)
    return Lib("torch", torch, "torch")


def import_chainrule():
    """Returns (Lib, None) or (None, reason)."""
    if SELF_TEST:
        import torch

        torch.set_num_threads(THREADS)
        return Lib("chainrule", torch, "torch"), None
    try:
        try:
            import chainrule
        except ImportError:
            src = os.path.join(REPO, "src")
            if os.path.isdir(os.path.join(src, "chainrule")) and src not in sys.path:
                sys.path.insert(0, src)
            for k in [k for k in sys.modules if k == "chainrule" or k.startswith("chainrule.")]:
                del sys.modules[k]
            import chainrule
        return Lib("chainrule", chainrule, "chainrule"), None
    except Exception as e:  # noqa: BLE001 - anything means "unavailable"
        return None, f"import chainrule failed: {type(e).__name__}: {e}"


def reason_of(e):
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    # innermost frame inside the library, to make "missing feature" reports actionable
    where = ""
    tb = traceback.extract_tb(e.__traceback__)
    for fr in reversed(tb):
        if "chainrule" in fr.filename:
            where = f" (at {os.path.relpath(fr.filename, REPO)}:{fr.lineno})"
            break
    return f"{type(e).__name__}: {msg[:300]}{where}"


def to_np(t):
    """Tensor (torch or chainrule) -> numpy array, trying the PyTorch spellings first."""
    if t is None:
        return None
    if isinstance(t, np.ndarray):
        return t
    for attempt in (
        lambda: t.detach().cpu().numpy(),
        lambda: t.detach().numpy(),
        lambda: t.numpy(),
        lambda: np.asarray(t.data),
        lambda: np.asarray(t),
    ):
        try:
            a = attempt()
            return np.array(a, copy=True)
        except Exception:  # noqa: BLE001
            continue
    raise TypeError(f"cannot convert {type(t).__name__} to numpy")


def compare(name, got, ref, rtol=1e-3, atol_frac=1e-5):
    """Compare arrays; returns (ok, text). atol is relative to max|ref|."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return False, f"{name}: shape {got.shape} != {ref.shape}"
    if not np.all(np.isfinite(got)):
        return False, f"{name}: non-finite values"
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    err = float(np.max(np.abs(got - ref))) if ref.size else 0.0
    ok = bool(np.allclose(got, ref, rtol=rtol, atol=atol_frac * max(scale, 1e-30)))
    return ok, f"{name}: max|diff|={err:.2e} (max|ref|={scale:.2e})"


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def hwm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_hwm():
    """Reset the kernel's peak-RSS counter (VmHWM) to the current RSS. Linux >= 4.0."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def pinning_info(torch_mod=None):
    info = {
        "env": {
            k: os.environ.get(k)
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        }
    }
    try:
        import threadpoolctl

        info["threadpools"] = [
            {
                "api": p.get("internal_api"),
                "prefix": p.get("prefix"),
                "num_threads": p.get("num_threads"),
                "version": p.get("version"),
                "arch": p.get("architecture"),
            }
            for p in threadpoolctl.threadpool_info()
        ]
    except Exception as e:  # noqa: BLE001
        info["threadpools"] = f"threadpoolctl unavailable: {e}"
    if torch_mod is not None:
        info["torch_num_threads"] = torch_mod.get_num_threads()
    return info


# --------------------------------------------------------------------------- timing core
def stats(ts):
    ts = sorted(ts)
    n = len(ts)
    return {
        "median": statistics.median(ts),
        "min": ts[0],
        "max": ts[-1],
        "n": n,
        "p25": ts[max(0, (n - 1) // 4)],
        "p75": ts[min(n - 1, (3 * (n - 1) + 3) // 4)],
        "times": ts,
    }


def interleaved(fns, repeats, warmup, budget_s):
    """Time callables alternately. fns: {label: callable}. Order flips every repeat so a
    systematic 'goes first' effect cancels. Stops early (min 3 repeats) past budget_s.
    Returns ({label: stats}, paired ratio stats chainrule/torch or None)."""
    labels = list(fns)
    for _ in range(warmup):
        for k in labels:
            fns[k]()
    times = {k: [] for k in labels}
    cpu = {k: [] for k in labels}
    t_start = PERF()
    for r in range(repeats):
        order = labels if r % 2 == 0 else labels[::-1]
        for k in order:
            gc.collect()
            c0 = time.process_time()
            t0 = PERF()
            fns[k]()
            t1 = PERF()
            cpu[k].append(time.process_time() - c0)
            times[k].append(t1 - t0)
        if r + 1 >= 3 and PERF() - t_start > budget_s:
            break
    out = {k: stats(v) for k, v in times.items()}
    for k in out:  # process CPU time (all threads): a load-robust view at 1 thread
        out[k]["cpu_median"] = statistics.median(cpu[k])
    paired = None
    if "chainrule" in times and "torch" in times:
        rs = [c / t for c, t in zip(times["chainrule"], times["torch"])]
        s = stats(rs)
        paired = {"median": s["median"], "p25": s["p25"], "p75": s["p75"]}
    return out, paired


def time_pair(make, T, C, c_reason, cfg, extra=None, scale=1.0):
    """Build both sides with make(lib) -> fn; fn() returns outputs for the check.
    One untimed call of each side is the correctness check (and first warm-up)."""
    res = {"cr_unavailable": c_reason, "notes": []}
    t_fn = make(T)
    t_out = t_fn()
    c_fn = None
    c_out = None
    if C is not None:
        try:
            c_fn = make(C)
            c_out = c_fn()
        except Exception as e:  # noqa: BLE001
            res["cr_unavailable"] = reason_of(e)
            res["traceback"] = traceback.format_exc()[-3000:]
            c_fn = None
    fns = {"torch": t_fn}
    if c_fn is not None:
        fns = {"chainrule": c_fn, "torch": t_fn}
    if extra:
        fns.update(extra)
    try:
        timing, paired = interleaved(
            fns, cfg["repeats"], max(0, cfg["warmup"] - 1), cfg.get("budget_s", 60)
        )
    except Exception as e:  # noqa: BLE001 - chainrule failing mid-run
        if c_fn is None:
            raise
        res["cr_unavailable"] = "failed during timing: " + reason_of(e)
        res["traceback"] = traceback.format_exc()[-3000:]
        fns.pop("chainrule")
        timing, paired = interleaved(fns, cfg["repeats"], 0, cfg.get("budget_s", 60))
    for s in timing.values():
        for f in ("median", "min", "max", "p25", "p75", "cpu_median"):
            s[f] *= scale
        s["times"] = [x * scale for x in s["times"]]
    res["torch"] = timing["torch"]
    res["chainrule"] = timing.get("chainrule")
    res["extra_timing"] = {k: v for k, v in timing.items() if k not in ("torch", "chainrule")}
    res["paired_ratio"] = paired
    return res, t_out, c_out


def run_checks(res, pairs):
    """pairs: list of (name, chainrule_value, torch_value[, rtol])."""
    ok_all, lines = True, []
    for p in pairs:
        name, c, t = p[:3]
        rtol = p[3] if len(p) > 3 else 1e-3
        try:
            ok, txt = compare(name, to_np(c), to_np(t), rtol=rtol)
        except Exception as e:  # noqa: BLE001
            ok, txt = False, f"{name}: {reason_of(e)}"
        ok_all &= ok
        lines.append(("ok  " if ok else "BAD ") + txt)
    res["check"] = {"ok": ok_all, "lines": lines}


def dtype_note(res, label, t, expected="float32"):
    try:
        dt = str(to_np(t).dtype)
        if dt != expected:
            res["notes"].append(f"{label} dtype is {dt}, expected {expected}")
    except Exception:  # noqa: BLE001
        pass


# --------------------------------------------------------------------------- benchmarks
def bench_seed_graph(T, C, c_reason, cfg):
    n_graphs = 1000

    def make(L):
        tensor = L.t.tensor

        def fn():
            for _ in range(n_graphs):
                a = tensor(2.0, requires_grad=True)
                b = tensor(3.0, requires_grad=True)
                c = tensor(4.0, requires_grad=True)
                q = a + 3 * b
                r = c**2
                loss = q * r
                loss.backward()
            return loss, a.grad, b.grad, c.grad

        return fn

    res, t_out, c_out = time_pair(make, T, C, c_reason, cfg)
    res["metric"] = f"time for {n_graphs} graphs (build + backward)"
    res["unit"] = "ms"
    if c_out is not None:
        run_checks(
            res,
            [(n, c, t, 1e-6) for n, c, t in zip(("L", "a.grad", "b.grad", "c.grad"), c_out, t_out)],
        )
    return res


def _op_chain_ops(L, n_ops):
    t = L.t
    cyc = [
        lambda v: v * 1.0001,
        lambda v: v + 0.001,
        t.tanh,
        t.sigmoid,
        lambda v: v - 0.5,
        lambda v: v * 4.0,
        t.exp,
        t.log,
    ]
    return [cyc[i % len(cyc)] for i in range(n_ops)]


def bench_op_chain(T, C, c_reason, cfg):
    n_ops = 2000
    x0 = np.linspace(-1.0, 1.0, 16, dtype=np.float32)

    def make(L):
        ops = _op_chain_ops(L, n_ops)
        x = L.t.tensor(x0.copy(), requires_grad=True)

        def fn():
            x.grad = None
            y = x
            for op in ops:
                y = op(y)
            y.sum().backward()
            return y, x.grad

        return fn

    # Hand-written NumPy forward chain (no graph, no backward): a reference line.
    def np_sigmoid(v):
        return 1.0 / (1.0 + np.exp(-v))

    np_cyc = [
        lambda v: v * 1.0001,
        lambda v: v + 0.001,
        np.tanh,
        np_sigmoid,
        lambda v: v - 0.5,
        lambda v: v * 4.0,
        np.exp,
        np.log,
    ]
    np_ops = [np_cyc[i % len(np_cyc)] for i in range(n_ops)]

    def np_fn():
        y = x0
        for op in np_ops:
            y = op(y)
        return y

    res, t_out, c_out = time_pair(
        make, T, C, c_reason, cfg, extra={"numpy_forward": np_fn}, scale=1.0 / n_ops
    )
    res["metric"] = f"per-op time, (forward + backward of {n_ops} elementwise ops) / {n_ops}"
    res["unit"] = "us"
    ref = res["extra_timing"].get("numpy_forward")
    if ref:
        res["reference"] = {
            "label": "hand-written NumPy, forward only, no graph (per op; its sigmoid is 3 ufuncs)",
            "median": ref["median"],
        }
    if c_out is not None:
        run_checks(res, [("y", c_out[0], t_out[0]), ("x.grad", c_out[1], t_out[1])])
        dtype_note(res, "chainrule x.grad", c_out[1])
    return res


def bench_big_matmul(T, C, c_reason, cfg):
    n = 2048
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((n, n), dtype=np.float32)
    ws_np = [
        rng.standard_normal((n, n), dtype=np.float32) / np.float32(np.sqrt(n)) for _ in range(3)
    ]

    def make(L):
        x = L.t.tensor(x_np)
        ws = [L.t.tensor(w, requires_grad=True) for w in ws_np]

        def fn():
            for w in ws:
                w.grad = None
            y = x @ ws[0] @ ws[1] @ ws[2]
            y.sum().backward()
            return [w.grad for w in ws]

        return fn

    res, t_out, c_out = time_pair(make, T, C, c_reason, cfg)
    res["metric"] = (
        f"x @ W1 @ W2 @ W3 ({n}x{n} float32, W requires grad), forward + backward of .sum()"
    )
    res["unit"] = "ms"
    flops = 8 * 2 * n**3  # 3 forward GEMMs + 5 backward (dW3, dH2, dW2, dH1, dW1)
    res["flops"] = flops
    if c_out is not None:
        run_checks(res, [(f"W{i + 1}.grad", c, t) for i, (c, t) in enumerate(zip(c_out, t_out))])
        dtype_note(res, "chainrule W1.grad", c_out[0])
    return res


def _copy_weights(L, model, src_state):
    """Copy numpy arrays {name: array} into model's parameters; verify by reading back."""
    errors = []
    methods = []

    def via_load_state_dict():
        model.load_state_dict({k: L.t.tensor(v.copy()) for k, v in src_state.items()})

    def via_copy_():
        params = dict(model.named_parameters())
        with L.t.no_grad():
            for k, v in src_state.items():
                params[k].copy_(L.t.tensor(v.copy()))

    def via_data():
        params = dict(model.named_parameters())
        for k, v in src_state.items():
            params[k].data = L.t.tensor(v.copy())

    def via_data_slice():
        params = dict(model.named_parameters())
        for k, v in src_state.items():
            params[k].data[...] = v

    methods = [
        ("load_state_dict", via_load_state_dict),
        ("no_grad+copy_", via_copy_),
        (".data =", via_data),
        (".data[...] =", via_data_slice),
    ]
    for name, m in methods:
        try:
            m()
            params = dict(model.named_parameters())
            if all(np.array_equal(to_np(params[k]), v) for k, v in src_state.items()):
                return name
            errors.append(f"{name}: values differ after copy")
        except Exception as e:  # noqa: BLE001
            errors.append(f"{name}: {reason_of(e)}")
    raise RuntimeError(
        "could not copy torch's initial weights into the model: " + "; ".join(errors)
    )


def _mlp_setup(L, sizes, state, x_np, y_np):
    nn, optim = L.nn, L.optim
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    how = _copy_weights(L, model, state) if state is not None else None
    crit = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = L.t.tensor(x_np)
    y = L.t.tensor(y_np)

    def step():
        opt.zero_grad()
        out = model(x)
        loss = crit(out, y)
        loss.backward()
        opt.step()
        return loss

    return model, step, how


def _mlp_common(T, C, c_reason, cfg, sizes, batch, steps_per_block):
    """Returns (res, T_model, C_model)."""
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y_np = rng.integers(0, sizes[-1], size=batch).astype(np.int64)

    t_model, t_step, _ = _mlp_setup(T, sizes, None, x_np, y_np)
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    first = {}
    models = {"torch": t_model}

    def make(L):
        if L.label == "torch":
            step = t_step
        else:
            model, step, how = _mlp_setup(L, sizes, state, x_np, y_np)
            first["copy_method"] = how
            models["chainrule"] = model
            # one step from identical weights: loss and updated weights must agree
            first["c_loss"] = step()
            first["c_w0"] = to_np(dict(model.named_parameters())["0.weight"])
        if L.label == "torch":
            first["t_loss"] = step()
            first["t_w0"] = to_np(dict(t_model.named_parameters())["0.weight"])

        def fn():
            loss = None
            for _ in range(steps_per_block):
                loss = step()
            return loss

        return fn

    res, _, _ = time_pair(make, T, C, c_reason, cfg, scale=1.0 / steps_per_block)
    if "c_loss" in first:
        run_checks(
            res,
            [
                ("loss after identical init", first["c_loss"], first["t_loss"], 1e-4),
                ("layer0.weight after 1 SGD step", first["c_w0"], first["t_w0"], 1e-4),
            ],
        )
        res["notes"].append(f"initial weights copied via {first.get('copy_method')}")
        dtype_note(res, "chainrule layer0.weight", first["c_w0"])
    res["unit"] = "ms"
    return res, models


def bench_mlp(T, C, c_reason, cfg):
    sizes, batch = [784, 256, 256, 10], 128
    res, _ = _mlp_common(T, C, c_reason, cfg, sizes, batch, cfg.get("steps_per_block", 10))
    res["metric"] = (
        "time per SGD training step, 784-256-256-10 ReLU MLP, batch 128 "
        "(zero_grad, forward, CrossEntropyLoss, backward, step)"
    )
    return res


def gemm_throughput(n, repeats):
    a = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(2).standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=out)  # warm-up
    ts, cs = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = PERF()
        np.matmul(a, b, out=out)
        ts.append(PERF() - t0)
        cs.append(time.process_time() - c0)
    flop = 2.0 * n**3
    return flop / statistics.median(ts), ts, flop / statistics.median(cs)


def bench_wide_mlp(T, C, c_reason, cfg):
    sizes, batch = [4096, 4096, 4096, 10], 256
    flops_per_gemm = [2 * batch * sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)]
    step_flops = 3 * sum(flops_per_gemm)  # forward + grad-input + grad-weight per layer
    gflops, gemm_ts, gflops_cpu = gemm_throughput(4096, cfg.get("gemm_repeats", 3))
    gc.collect()
    res, models = _mlp_common(T, C, c_reason, cfg, sizes, batch, 1)
    res["metric"] = (
        "time per SGD training step, 4096-4096-4096-10 ReLU MLP, batch 256 "
        "(zero_grad, forward, CrossEntropyLoss, backward, step)"
    )
    bound = step_flops / gflops
    res["gemm_bound"] = {
        "step_gflop": step_flops / 1e9,
        "numpy_gemm_gflops": gflops / 1e9,
        "numpy_gemm_times": gemm_ts,
        "bound_s": bound,
        "chainrule_over_bound": (res["chainrule"]["median"] / bound) if res["chainrule"] else None,
        "torch_over_bound": res["torch"]["median"] / bound,
    }
    if THREADS == 1:  # same ratios from process CPU time: robust to other load
        bound_cpu = step_flops / gflops_cpu
        res["gemm_bound"]["cpu"] = {
            "numpy_gemm_gflops": gflops_cpu / 1e9,
            "chainrule_over_bound": (res["chainrule"]["cpu_median"] / bound_cpu)
            if res["chainrule"]
            else None,
            "torch_over_bound": res["torch"]["cpu_median"] / bound_cpu,
        }
    res["peak_rss_bytes"] = hwm_bytes()
    del models
    return res


def _lstm_setup(L, state, x_np, y_np):
    nn, optim = L.nn, L.optim
    model = nn.LSTM(x_np.shape[2], y_np.shape[2])
    how = _copy_weights(L, model, state) if state is not None else None
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = L.t.tensor(x_np)
    y = L.t.tensor(y_np)

    def step():
        opt.zero_grad()
        out, _ = model(x)
        loss = nn.functional.mse_loss(out, y)
        loss.backward()
        opt.step()
        return loss

    return model, step, how


def bench_lstm_step(T, C, c_reason, cfg):
    """One training step of a one-layer LSTM over a whole sequence (BPTT through 64 steps):
    forward, MSE against a target sequence, backward, SGD.  The input needs no gradient."""
    import torch

    seq, batch, size = 64, 32, 128
    steps_per_block = cfg.get("steps_per_block", 3)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((seq, batch, size), dtype=np.float32)
    y_np = rng.standard_normal((seq, batch, size), dtype=np.float32)
    t_model, t_step, _ = _lstm_setup(T, None, x_np, y_np)
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    first = {}

    def make(L):
        if L.label == "torch":
            step, model = t_step, t_model
        else:
            model, step, first["copy_method"] = _lstm_setup(L, state, x_np, y_np)
        first[L.label] = (
            step(),
            to_np(dict(model.named_parameters())["weight_hh_l0"]),
        )

        def fn():
            loss = None
            for _ in range(steps_per_block):
                loss = step()
            return loss

        return fn

    res, _, _ = time_pair(make, T, C, c_reason, cfg, scale=1.0 / steps_per_block)
    res["metric"] = (
        f"time per SGD training step, nn.LSTM({size}, {size}) over a ({seq}, {batch}, {size}) "
        "float32 sequence (zero_grad, forward, MSELoss, backward through time, step)"
    )
    res["unit"] = "ms"
    if "chainrule" in first:
        run_checks(
            res,
            [
                ("loss after identical init", first["chainrule"][0], first["torch"][0], 1e-4),
                (
                    "weight_hh_l0 after 1 SGD step",
                    first["chainrule"][1],
                    first["torch"][1],
                    1e-4,
                ),
            ],
        )
        res["notes"].append(f"initial weights copied via {first.get('copy_method')}")
        dtype_note(res, "chainrule weight_hh_l0", first["chainrule"][1])
    return res


def _lenet_setup(L, state, x_np, y_np):
    """LeNet-5 for 28x28 inputs (conv 5x5 pad 2, pool, conv 5x5, pool, 3 linear layers),
    cross-entropy and SGD; returns (model, step, how the weights were copied)."""
    nn, optim = L.nn, L.optim
    model = nn.Sequential(
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
    how = _copy_weights(L, model, state) if state is not None else None
    crit = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = L.t.tensor(x_np)
    y = L.t.tensor(y_np)

    def step():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, step, how


def _lenet_gemms(batch):
    """The matrix products of one LeNet training step as chainrule's conv lays them out
    (im2col columns per sample, stride-1 rows padded to the padded width) and the linear
    layers' three GEMMs each: a list of (a, b) float32 operands."""
    rng = np.random.default_rng(3)

    def r(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    n = batch
    gemms = []
    # conv1: 1 -> 6, 5x5, padding 2 on 28x28: columns (n, 25, 28 * 32); no input gradient
    cols1 = r(n, 1, 25, 28 * 32)
    gemms += [(r(1, 6, 25), cols1), (cols1, r(n, 1, 6, 28 * 32).swapaxes(2, 3))]
    # conv2: 6 -> 16, 5x5 on 14x14: columns (n, 150, 10 * 14)
    cols2 = r(n, 1, 150, 10 * 14)
    gemms += [
        (r(1, 16, 150), cols2),  # forward
        (r(1, 150, 16), r(n, 1, 16, 10 * 14)),  # input gradient, before col2im
        (cols2, r(n, 1, 16, 10 * 14).swapaxes(2, 3)),  # weight gradient, transposed
    ]
    for fan_in, fan_out in ((400, 120), (120, 84), (84, 10)):
        w, xs, g = r(fan_out, fan_in), r(n, fan_in), r(n, fan_out)
        gemms += [(xs, w.T), (g, w), (g.T, xs)]  # y = x Wᵀ, ∂x = G W, ∂W = Gᵀ X
    return gemms


def _time_gemms(gemms, repeats):
    """Median wall and process time of running every GEMM once, and the FLOPs."""
    flops = 0
    for a, b in gemms:
        out = np.matmul(a, b)
        flops += 2 * out.size * a.shape[-1]
    walls, cpus = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), PERF()
        for a, b in gemms:
            np.matmul(a, b)
        walls.append(PERF() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), flops


def bench_lenet_step(T, C, c_reason, cfg):
    """One SGD training step of LeNet-5 on a batch of 64 28x28 images: zero_grad, forward,
    cross-entropy, backward, step (the input needs no gradient)."""
    import torch

    batch = 64
    steps_per_block = cfg.get("steps_per_block", 5)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y_np = rng.integers(0, 10, size=batch).astype(np.int64)
    t_model, t_step, _ = _lenet_setup(T, None, x_np, y_np)
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    first = {}

    def make(L):
        if L.label == "torch":
            step, model = t_step, t_model
        else:
            model, step, first["copy_method"] = _lenet_setup(L, state, x_np, y_np)
        first[L.label] = (step(), to_np(dict(model.named_parameters())["0.weight"]))

        def fn():
            loss = None
            for _ in range(steps_per_block):
                loss = step()
            return loss

        return fn

    res, _, _ = time_pair(make, T, C, c_reason, cfg, scale=1.0 / steps_per_block)
    res["metric"] = (
        f"time per SGD training step, LeNet-5 (conv 1-6-16 5x5, max pool, 400-120-84-10), "
        f"batch {batch} of 1x28x28 float32 (zero_grad, forward, CrossEntropyLoss, backward, step)"
    )
    res["unit"] = "ms"
    gemm_wall, gemm_cpu, flops = _time_gemms(_lenet_gemms(batch), cfg.get("gemm_repeats", 30))
    peak, _, _ = gemm_throughput(2048, 3)  # what NumPy's GEMM does on large matrices
    c, t = res.get("chainrule"), res["torch"]
    res["gemm_alone"] = {
        "gflop": flops / 1e9,
        "seconds": gemm_wall,
        "cpu_seconds": gemm_cpu,
        "large_gemm_gflops": peak / 1e9,
        "flop_bound_s": flops / peak,
        "chainrule_over": (c["median"] / gemm_wall) if c else None,
        "torch_over": t["median"] / gemm_wall,
        "chainrule_over_cpu": (c["cpu_median"] / gemm_cpu) if c else None,
        "torch_over_cpu": t["cpu_median"] / gemm_cpu,
    }
    if "chainrule" in first:
        run_checks(
            res,
            [
                ("loss after identical init", first["chainrule"][0], first["torch"][0], 1e-4),
                ("conv1.weight after 1 SGD step", first["chainrule"][1], first["torch"][1], 1e-4),
            ],
        )
        res["notes"].append(f"initial weights copied via {first.get('copy_method')}")
        dtype_note(res, "chainrule conv1.weight", first["chainrule"][1])
    return res


# ---- memory benchmarks: one library per process (spec["lib"])
def _mem_lib(spec):
    if spec["lib"] == "torch":
        return import_torch(), None
    return import_chainrule()


def bench_memory_mlp(spec, cfg):
    L, reason = _mem_lib(spec)
    if L is None:
        return {"unavailable": reason}
    n_steps = cfg.get("steps", 100)
    sizes, batch = [784, 256, 256, 10], 128
    out = {"lib": spec["lib"], "steps": n_steps}
    try:
        try:
            L.t.manual_seed(0)
        except Exception:  # noqa: BLE001 - seeding is a nicety here
            pass
        rng = np.random.default_rng(0)
        x_np = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
        y_np = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
        _, step, _ = _mlp_setup(L, sizes, None, x_np, y_np)
        del x_np
        gc.collect()
        rss0 = rss_bytes()
        out["hwm_reset"] = reset_hwm()
        if not out["hwm_reset"]:
            out["notes"] = ["clear_refs unavailable: peak is the lifetime VmHWM"]
        rss_trace = []
        t0 = PERF()
        for _ in range(n_steps):
            step()
            rss_trace.append(rss_bytes())
        out["train_s"] = PERF() - t0
        gc.collect()
        out.update(
            rss_before=rss0,
            peak_rss=hwm_bytes(),
            rss_after_step10=rss_trace[9],
            rss_after_last=rss_trace[-1],
            rss_after_step1=rss_trace[0],
            rss_max_sampled=max(rss_trace),
        )
        out["peak_delta"] = out["peak_rss"] - rss0
        out["growth_10_to_last"] = rss_trace[-1] - rss_trace[9]
        # tracemalloc view (Python objects + NumPy buffers; torch storage is invisible to it)
        if spec["lib"] == "chainrule" and not SELF_TEST:
            import tracemalloc

            tracemalloc.start()
            base, _ = tracemalloc.get_traced_memory()
            cur10 = None
            for i in range(1, n_steps + 1):
                step()
                if i == 10:
                    cur10 = tracemalloc.get_traced_memory()[0]
            cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out["tracemalloc"] = {"peak_delta": peak - base, "growth_10_to_last": cur - cur10}
    except Exception as e:  # noqa: BLE001
        return {"unavailable": reason_of(e), "traceback": traceback.format_exc()[-3000:]}
    return out


def bench_deep_chain(spec, cfg):
    L, reason = _mem_lib(spec)
    if L is None:
        return {"unavailable": reason}
    n = int(cfg.get("n_ops", 1_000_000))
    k = 1.000001
    out = {"lib": spec["lib"], "n_ops": n}
    try:
        x = L.t.tensor(1.0, dtype=L.t.float64, requires_grad=True)
        gc.collect()
        rss0 = rss_bytes()
        out["hwm_reset"] = reset_hwm()
        t0 = PERF()
        y = x
        for _ in range(n):
            y = y * k
        out["forward_s"] = PERF() - t0
        out["rss_after_forward"] = rss_bytes()
        t0 = PERF()
        y.backward()
        out["backward_s"] = PERF() - t0
        out["peak_rss"] = hwm_bytes()
        out["rss_before"] = rss0
        out["peak_delta"] = out["peak_rss"] - rss0
        g = float(to_np(x.grad))
        expect = k**n
        out["grad"] = g
        out["grad_expected"] = expect
        out["grad_ok"] = bool(abs(g - expect) <= 1e-6 * expect)
        del y
        gc.collect()
        out["rss_after_release"] = rss_bytes()
    except RecursionError as e:
        return {"unavailable": "RecursionError: " + str(e)[:200]}
    except Exception as e:  # noqa: BLE001
        return {"unavailable": reason_of(e), "traceback": traceback.format_exc()[-3000:]}
    return out


def bench_hessian_logdensity(T, C, c_reason, cfg):
    """The Hessian of a Bayesian logistic-regression log-density in 100 parameters
    (500 observations), by each library's func.hessian, float64."""
    rng = np.random.default_rng(0)
    n, d = 500, 100
    x_np = rng.normal(size=(n, d)) / np.sqrt(d)
    y_np = (rng.random(n) < 0.5).astype(np.float64)
    w_np = rng.normal(size=d) * 0.1

    def make(L):
        t = L.t
        x, y, w = t.tensor(x_np), t.tensor(y_np), t.tensor(w_np)
        softplus = L.nn.functional.softplus

        def logp(w):
            eta = x @ w
            return (y * eta - softplus(eta)).sum() - 0.5 * (w * w).sum()

        hessian = t.func.hessian(logp)
        return lambda: hessian(w)

    res, t_out, c_out = time_pair(make, T, C, c_reason, cfg)
    res["metric"] = "one 100 x 100 Hessian"
    res["unit"] = "ms"
    if c_out is not None:
        run_checks(res, [("hessian", c_out, t_out, 1e-9)])
    return res


def bench_per_sample_grads(T, C, c_reason, cfg):
    """vmap(grad(loss), in_dims=(None, 0, 0)) for a 784-256-10 ReLU MLP over 128 samples,
    float32, as in torch.func's per-sample-gradient tutorial (functional_call)."""
    rng = np.random.default_rng(0)
    sizes, batch = (784, 256, 10), 128
    state = {
        "0.weight": (rng.normal(size=(256, 784)) / 28).astype(np.float32),
        "0.bias": np.zeros(256, np.float32),
        "2.weight": (rng.normal(size=(10, 256)) / 16).astype(np.float32),
        "2.bias": np.zeros(10, np.float32),
    }
    x_np = rng.normal(size=(batch, 784)).astype(np.float32)
    y_np = rng.integers(0, 10, batch)

    def make(L):
        t, nn = L.t, L.nn
        model = nn.Sequential(nn.Linear(*sizes[:2]), nn.ReLU(), nn.Linear(*sizes[1:]))
        params = {k: t.tensor(v.copy()) for k, v in state.items()}
        x, y = t.tensor(x_np), t.tensor(y_np)

        def loss(p, xi, yi):
            out = t.func.functional_call(model, p, (xi.unsqueeze(0),))
            return L.nn.functional.cross_entropy(out, yi.unsqueeze(0))

        def onehot_loss(p, xi, oi):  # the same loss without class-index targets
            out = t.func.functional_call(model, p, (xi.unsqueeze(0),))
            return -(t.log_softmax(out, -1) * oi).sum()

        if onehot:
            o = L.nn.functional.one_hot(y, 10).to(x.dtype)
            per_sample = t.func.vmap(t.func.grad(onehot_loss), in_dims=(None, 0, 0))
            return lambda: per_sample(params, x, o)["0.weight"]
        per_sample = t.func.vmap(t.func.grad(loss), in_dims=(None, 0, 0))
        return lambda: per_sample(params, x, y)["0.weight"]

    onehot = False
    extra = {}
    if C is not None:  # the same loss with one-hot targets, for comparison
        onehot = True
        extra = {"chainrule one-hot loss": make(C), "torch one-hot loss": make(T)}
        onehot = False
    res, t_out, c_out = time_pair(make, T, C, c_reason, cfg, extra=extra)
    for label, timing in res["extra_timing"].items():
        res["notes"].append(f"{label}: median {timing['median'] * 1e3:.1f} ms")
    res["metric"] = "per-sample gradients of all parameters, 128 samples"
    res["unit"] = "ms"
    if c_out is not None:
        run_checks(res, [("grad of 0.weight", c_out, t_out, 1e-4)])
    return res


def _jvp_functions(L, which):
    """(f, primal, tangent) for the forward-mode benchmarks, float64: a 784-256-10 tanh
    MLP's summed log-softmax over a batch of 128 (tangent in the input), or a normal
    log-density of 10^5 points with a shared log-scale (tangent in all parameters)."""
    rng = np.random.default_rng(5)
    t, F = L.t, L.nn.functional
    if which == "mlp":
        w1, b1 = rng.normal(size=(256, 784)) / 28, rng.normal(size=256) / 10
        w2, b2 = rng.normal(size=(10, 256)) / 16, np.zeros(10)
        w1, b1, w2, b2 = (t.tensor(a) for a in (w1, b1, w2, b2))

        def f(x):
            return F.log_softmax(F.linear(t.tanh(F.linear(x, w1, b1)), w2, b2), -1).sum()

        return f, rng.normal(size=(128, 784)), rng.normal(size=(128, 784))
    mu = t.tensor(rng.normal(size=100_000))

    def f(theta):
        scale = t.exp(theta[:1])
        z = (theta[1:] - mu) / scale
        return (-0.5 * z * z - t.log(scale)).sum()

    return f, rng.normal(size=100_001), rng.normal(size=100_001)


def bench_jvp_cost(T, C, c_reason, cfg):
    """A full func.jvp against the plain forward of the same function, in each library:
    the issue's measure is chainrule's jvp time / chainrule's forward time."""
    which, block = cfg["function"], cfg.get("calls_per_block", 5)

    def make(L, mode="jvp"):
        f, x_np, v_np = _jvp_functions(L, which)
        x, v = L.t.tensor(x_np), L.t.tensor(v_np)

        def call():
            out = None
            for _ in range(block):
                out = L.t.func.jvp(f, (x,), (v,)) if mode == "jvp" else f(x)
            return out

        return call

    extra = {"torch forward": make(T, "forward")}
    if C is not None:
        extra["chainrule forward"] = make(C, "forward")
    res, t_out, c_out = time_pair(make, T, C, c_reason, cfg, extra=extra, scale=1.0 / block)
    if which == "mlp":  # the floor: the forward plus one more GEMM of the first layer's size
        rng = np.random.default_rng(0)
        a, w = rng.normal(size=(128, 784)), rng.normal(size=(256, 784))
        gemm = statistics.median(_time_calls(lambda: a @ w.T, 30))  # as F.linear does it
        res["notes"].append(f"the tangent's 128x784 @ 784x256 GEMM alone: {gemm * 1e3:.3f} ms")
        res["floor_extra_s"] = gemm
    own = {}
    for lib in ("chainrule", "torch"):
        fwd = res["extra_timing"].get(f"{lib} forward")
        main = res.get(lib)
        if fwd and main:
            own[lib] = main["median"] / fwd["median"]
            res["notes"].append(
                f"{lib}: jvp {main['median'] * 1e3:.3f} ms / forward {fwd['median'] * 1e3:.3f} ms"
                f" = {own[lib]:.2f}x"
            )
    if "floor_extra_s" in res and "chainrule forward" in res["extra_timing"]:
        fwd = res["extra_timing"]["chainrule forward"]["median"]
        res["notes"].append(
            f"arithmetic floor for chainrule (forward + that GEMM): "
            f"{(fwd + res['floor_extra_s']) / fwd:.2f}x its forward"
        )
    res["own_ratio"] = own
    res["metric"] = f"one full jvp ({which}), float64; the verdict is jvp / own forward"
    res["unit"] = "ms"
    if c_out is not None:
        run_checks(
            res,
            [("jvp primal", c_out[0], t_out[0], 1e-10), ("jvp tangent", c_out[1], t_out[1], 1e-9)],
        )
    return res


def _time_calls(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = PERF()
        fn()
        times.append(PERF() - t0)
    return times


TIMED = {
    "seed_graph": bench_seed_graph,
    "op_chain": bench_op_chain,
    "big_matmul": bench_big_matmul,
    "mlp": bench_mlp,
    "wide_mlp": bench_wide_mlp,
    "lstm_step": bench_lstm_step,
    "lenet_step": bench_lenet_step,
    "hessian_logdensity": bench_hessian_logdensity,
    "per_sample_grads": bench_per_sample_grads,
    "jvp_mlp": bench_jvp_cost,
    "jvp_logdensity": bench_jvp_cost,
}
MEMORY = {"memory_mlp": bench_memory_mlp, "deep_chain": bench_deep_chain}


def machine_info():
    info = {"numpy": np.__version__, "python": sys.version.split()[0], "self_test": SELF_TEST}
    try:
        cfgd = np.show_config(mode="dicts")
        blas = cfgd.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = {k: blas.get(k) for k in ("name", "version", "openblas configuration")}
    except Exception as e:  # noqa: BLE001
        info["numpy_blas"] = f"unavailable: {e}"
    T = import_torch()
    info["torch"] = T.t.__version__
    try:
        info["torch_blas"] = [
            ln.strip()
            for ln in T.t.__config__.show().splitlines()
            if "Math Kernel" in ln or "BLAS_INFO" in ln or "CPU capability" in ln
        ]
        info["torch_blas"] = [
            ln.split(",")[0] if "Build settings" in ln else ln for ln in info["torch_blas"]
        ]
    except Exception:  # noqa: BLE001
        pass
    C, reason = import_chainrule()
    if C is None:
        info["chainrule"] = reason
    else:
        info["chainrule"] = (
            f"{getattr(C.t, '__version__', '?')} from "
            f"{os.path.dirname(getattr(C.t, '__file__', '?') or '?')}"
        )
    info["pinning"] = pinning_info(T.t)
    return info


def main():
    spec = SPEC
    cfg = spec.get("cfg", {})
    name = spec["bench"]
    out = {"bench": name, "threads": THREADS, "self_test": SELF_TEST}
    t0 = PERF()
    try:
        if name == "info":
            out["info"] = machine_info()
        elif name in TIMED:
            T = import_torch()
            C, reason = import_chainrule()
            out["pinning"] = pinning_info(T.t)
            out.update(TIMED[name](T, C, reason, cfg))
        elif name in MEMORY:
            out.update(MEMORY[name](spec, cfg))
            out["pinning"] = pinning_info(sys.modules.get("torch"))
        else:
            out["error"] = f"unknown benchmark {name!r}"
    except Exception as e:  # noqa: BLE001
        out["error"] = reason_of(e)
        out["traceback"] = traceback.format_exc()[-3000:]
    out["worker_s"] = PERF() - t0
    with open(spec["result_file"], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
