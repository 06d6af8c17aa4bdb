#!/usr/bin/env python3
"""chainrule vs PyTorch (CPU) benchmarks -> benchmarks/RESULTS.md

    python benchmarks/run.py [--quick] [--only NAME ...] [--skip NAME ...] [--threads 1 2]
    BENCH_SELF=1 python benchmarks/run.py --quick   # harness self-test: "chainrule" = torch

Every (benchmark, thread count) runs in a fresh subprocess (benchmarks/_worker.py) with
OMP/OPENBLAS/MKL_NUM_THREADS set before numpy/torch are imported and
torch.set_num_threads(n); inside it chainrule and torch are timed alternately
(interleaved repeats, order flipped each repeat) with time.perf_counter, warm-ups and
medians. Memory benchmarks run each library in its own subprocess. This parent process
imports neither numpy nor torch; it watches each child's time and RSS (process tree) and
kills it past a limit, so a runaway benchmark cannot take the machine down.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORKER = os.path.join(HERE, "_worker.py")
MiB = 1024 * 1024
GiB = 1024 * MiB

# name, kind, title, targets {threads: max ratio}, cfg (default / --quick), timeout s
BENCHES = [
    dict(
        name="seed_graph",
        kind="timed",
        title="seed graph (1000 x tiny graph + backward)",
        target={1: 0.8, 2: 0.8},
        cfg=dict(repeats=15, warmup=2, budget_s=40),
        quick=dict(repeats=3, warmup=1),
        timeout=300,
    ),
    dict(
        name="op_chain",
        kind="timed",
        title="op chain (2000 elementwise ops, 16 floats)",
        target={1: 0.8, 2: 0.8},
        cfg=dict(repeats=21, warmup=3, budget_s=40),
        quick=dict(repeats=3, warmup=1),
        timeout=300,
    ),
    dict(
        name="big_matmul",
        kind="timed",
        title="big matmul (3 x 2048^2 float32, fwd+bwd)",
        target={1: 1.1, 2: 1.1},
        cfg=dict(repeats=7, warmup=1, budget_s=45),
        quick=dict(repeats=2, warmup=1),
        timeout=400,
    ),
    dict(
        name="mlp",
        kind="timed",
        title="mlp 784-256-256-10, batch 128, SGD step",
        target={1: 1.0, 2: 1.15},
        cfg=dict(repeats=21, warmup=2, budget_s=40, steps_per_block=10),
        quick=dict(repeats=3, warmup=1, steps_per_block=5),
        timeout=300,
    ),
    dict(
        name="wide_mlp",
        kind="timed",
        title="wide mlp 4096-4096-4096-10, batch 256, SGD step",
        target={1: 1.05, 2: 1.3},
        cfg=dict(repeats=7, warmup=1, budget_s=45, gemm_repeats=3),
        quick=dict(repeats=2, warmup=1, gemm_repeats=1),
        timeout=400,
    ),
    dict(
        name="lstm_step",
        kind="timed",
        title="lstm step: LSTM(128, 128), seq 64, batch 32, SGD step",
        target={1: 1.2, 2: 1.2},
        cfg=dict(repeats=15, warmup=2, budget_s=40, steps_per_block=3),
        quick=dict(repeats=5, warmup=1, steps_per_block=2),
        timeout=300,
    ),
    dict(
        name="lenet_step",
        kind="timed",
        title="lenet step: LeNet-5, batch 64 of 28x28, SGD step",
        target={1: 1.5, 2: 1.5},
        cfg=dict(repeats=15, warmup=2, budget_s=40, steps_per_block=5, gemm_repeats=30),
        quick=dict(repeats=5, warmup=1, steps_per_block=2, gemm_repeats=5),
        timeout=300,
    ),
    dict(
        name="hessian_logdensity",
        kind="timed",
        title="hessian of a 100-parameter log-density (func.hessian vs torch.func)",
        target=None,
        cfg=dict(repeats=15, warmup=2, budget_s=40),
        quick=dict(repeats=3, warmup=1),
        timeout=300,
    ),
    dict(
        name="per_sample_grads",
        kind="timed",
        title="per-sample gradients, mlp 784-256-10, 128 samples (vmap(grad))",
        target=None,
        cfg=dict(repeats=11, warmup=2, budget_s=40),
        quick=dict(repeats=3, warmup=1),
        timeout=300,
    ),
    dict(
        name="jvp_mlp",
        kind="timed",
        title="forward mode: func.jvp of a 784-256-10 tanh MLP (input tangent), batch 128",
        target=None,
        own_target=1.5,
        cfg=dict(repeats=15, warmup=2, budget_s=30, function="mlp"),
        quick=dict(repeats=3, warmup=1, function="mlp"),
        timeout=300,
    ),
    dict(
        name="jvp_logdensity",
        kind="timed",
        title="forward mode: func.jvp of a normal log-density, 10^5 points",
        target=None,
        own_target=1.5,
        cfg=dict(repeats=15, warmup=2, budget_s=30, function="logdensity"),
        quick=dict(repeats=3, warmup=1, function="logdensity"),
        timeout=300,
    ),
    dict(
        name="memory_mlp",
        kind="memory",
        title="memory: 100 mlp training steps",
        target=None,
        cfg=dict(steps=100),
        quick=dict(steps=100),
        timeout=300,
    ),
    dict(
        name="deep_chain",
        kind="memory",
        title="deep chain: 10^6 float64 scalar muls + backward",
        target=None,
        cfg=dict(n_ops=1_000_000),
        quick=dict(n_ops=100_000),
        timeout=600,
    ),
]
BY_NAME = {b["name"]: b for b in BENCHES}
BG_WARN = 0.2  # cores of background CPU use above which a row is flagged
MEM_SLACK = 1 * MiB  # page/allocator granularity allowed in the memory comparisons


# --------------------------------------------------------------------------- subprocesses
def _tree_rss(pid):
    """RSS in bytes of pid and all its descendants (Linux /proc)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def _busy_jiffies():
    """Machine-wide busy CPU time in seconds (all CPUs) from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        guest = sum(v[8:10]) if len(v) > 9 else 0  # already in user/nice
        return (sum(v) - idle - guest) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _children_cpu():
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wait_quiet(max_wait, log):
    """Block (up to max_wait s) until other processes use < BG_WARN cores over 2 s."""
    t0 = time.monotonic()
    while True:
        b0 = _busy_jiffies()
        time.sleep(2.0)
        b1 = _busy_jiffies()
        load = None if b0 is None or b1 is None else (b1 - b0) / 2.0
        if load is None or load < BG_WARN:
            return load
        if time.monotonic() - t0 > max_wait:
            log(f"    machine still busy ({load:.2f} cores) after {max_wait:.0f} s; going on")
            return load
        time.sleep(3.0)


def _poll(proc, t0, timeout, mem_limit):
    """Wait for proc; kill its process group past timeout or mem_limit.
    Returns (max tree RSS seen, kill reason or None)."""
    max_rss, killed = 0, None
    while proc.poll() is None:
        rss = _tree_rss(proc.pid)
        max_rss = max(max_rss, rss)
        if rss > mem_limit:
            killed = f"killed: RSS {rss / GiB:.1f} GiB > limit {mem_limit / GiB:.1f} GiB"
        elif time.monotonic() - t0 > timeout:
            killed = f"killed: exceeded timeout of {timeout} s"
        if killed:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()
            break
        time.sleep(0.2)
    return max_rss, killed


def run_worker(spec, threads, timeout, mem_limit):
    """Run _worker.py in a fresh process pinned to `threads`. Returns its JSON dict."""
    env = dict(os.environ)
    for var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    ):
        env[var] = str(threads)
    env.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as tmp:
        spec = dict(spec, threads=threads, result_file=os.path.join(tmp, "result.json"))
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        with open(out_path, "w") as fo, open(err_path, "w") as fe:
            busy0, cpu0 = _busy_jiffies(), _children_cpu()
            proc = subprocess.Popen(
                [sys.executable, WORKER, json.dumps(spec)],
                cwd=REPO,
                env=env,
                stdout=fo,
                stderr=fe,
                start_new_session=True,
            )
            t0 = time.monotonic()
            try:
                max_rss, killed = _poll(proc, t0, timeout, mem_limit)
            except BaseException:  # Ctrl-C / SIGTERM: don't leave the worker running
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
                raise
        wall = time.monotonic() - t0
        busy1, cpu1 = _busy_jiffies(), _children_cpu()
        # CPU used by everything except this worker (and its children) while it ran, in
        # cores: anything well above 0 means other processes competed for the CPUs.
        bg = None
        if busy0 is not None and busy1 is not None and wall > 0:
            bg = max(0.0, (busy1 - busy0) - (cpu1 - cpu0)) / wall
        res = None
        if not killed and os.path.exists(spec["result_file"]):
            try:
                with open(spec["result_file"]) as f:
                    res = json.load(f)
            except ValueError:
                res = None
        if res is None:
            with open(err_path) as f:
                tail = f.read().strip().splitlines()[-6:]
            res = {
                "error": killed or f"worker exited with code {proc.returncode}",
                "stderr_tail": tail,
            }
        res["wall_s"] = wall
        res["max_tree_rss"] = max_rss
        res["bg_cores"] = bg
        return res


# --------------------------------------------------------------------------- helpers
def target_for(b, threads):
    if not b["target"]:
        return None
    return b["target"].get(threads, b["target"][max(b["target"])])


def fmt_t(seconds, unit):
    if seconds is None:
        return "—"
    v = seconds * {"s": 1, "ms": 1e3, "us": 1e6}[unit]
    if v >= 100:
        return f"{v:.0f} {unit}"
    if v >= 10:
        return f"{v:.1f} {unit}"
    return f"{v:.2f} {unit}"


def fmt_bg(x, flag=False):
    if x is None:
        return "?"
    return f"{x:.2f}" + (" ⚠" if flag and x > BG_WARN else "")


def fmt_mib(b):
    return "—" if b is None else f"{b / MiB:.1f} MiB"


def cpu_model():
    model, extra = "unknown", []
    try:
        with open("/proc/cpuinfo") as f:
            txt = f.read()
        fields = {}
        for line in txt.splitlines():
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                fields.setdefault(k, v)
        model = fields.get("model name", model)
        extra = [f"family {fields.get('cpu family', '?')} model {fields.get('model', '?')}"]
        flags = fields.get("flags", "").split()
        extra.append(
            "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
        )
        if "hypervisor" in flags:
            extra.append("virtualised")
    except OSError:
        pass
    return f"{model} ({', '.join(extra)})"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def git_state():
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        )
        h = head.stdout.strip() if head.returncode == 0 else "no commits yet"
        st = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        )
        n = len([ln for ln in st.stdout.splitlines() if ln.strip()])
        return h + (f", {n} uncommitted change(s) under src/" if n else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def pin_summary(res, threads):
    """One-line description of the thread pinning observed inside a worker + mismatch flag."""
    p = res.get("pinning")
    if not p:
        return "n/a", True
    bits, ok = [], True
    pools = p.get("threadpools")
    if isinstance(pools, list):
        for pool in pools:
            bits.append(f"{pool['prefix']}={pool['num_threads']}")
            ok &= pool["num_threads"] == threads
    if "torch_num_threads" in p and p["torch_num_threads"] is not None:
        bits.append(f"torch.get_num_threads()={p['torch_num_threads']}")
        ok &= p["torch_num_threads"] == threads
    return ", ".join(bits) or "n/a", ok


# --------------------------------------------------------------------------- evaluation
def evaluate(b, threads, res):
    """-> dict(cr, pt, ratio, target, verdict) with display strings."""
    tgt = target_for(b, threads)
    row = {
        "threads": threads,
        "cr": "—",
        "pt": "—",
        "ratio": "—",
        "verdict": "ERROR",
        "target": "—",
    }
    if b["kind"] == "timed":
        row["target"] = f"≤ {tgt:.2f}" if tgt else "report the ratio"
        if res.get("error"):
            row["verdict"] = "ERROR"
            return row
        unit = res.get("unit", "ms")
        row["pt"] = fmt_t(res["torch"]["median"], unit)
        if res.get("chainrule") is None:
            row["cr"] = "unavailable"
            row["verdict"] = "UNAVAILABLE"
            return row
        ratio = res["chainrule"]["median"] / res["torch"]["median"]
        row["cr"] = fmt_t(res["chainrule"]["median"], unit)
        row["ratio"] = f"{ratio:.2f}"
        row["ratio_value"] = ratio
        cc, tc = res["chainrule"].get("cpu_median"), res["torch"].get("cpu_median")
        if threads == 1 and cc and tc:
            row["cpu_ratio"] = f"{cc / tc:.2f}"
        check = res.get("check")
        own_target = b.get("own_target")
        if check and not check["ok"]:
            row["verdict"] = "FAIL (wrong result)"
        elif own_target:  # judged against chainrule's own baseline (jvp / forward)
            own = res.get("own_ratio", {}).get("chainrule")
            row["target"] = f"own ratio ≤ {own_target:.2f}"
            if own is None:
                row["verdict"] = "ERROR"
            else:
                row["verdict"] = f"{'PASS' if own <= own_target else 'FAIL'} (own {own:.2f})"
        else:
            row["verdict"] = "REPORTED" if tgt is None else "PASS" if ratio <= tgt else "FAIL"
        return row

    t, c = res.get("torch", {}), res.get("chainrule", {})
    if b["name"] == "memory_mlp":
        row["target"] = "peak ≤ PyTorch's, growth ≈ 0"
        row["pt"] = fmt_mib(t.get("peak_delta"))
        if t.get("peak_delta") is None:
            return row
        if c.get("peak_delta") is None:
            row["cr"] = "unavailable"
            row["verdict"] = "UNAVAILABLE" if c.get("unavailable") else "ERROR"
            return row
        row["cr"] = fmt_mib(c["peak_delta"])
        row["ratio"] = f"{c['peak_delta'] / max(t['peak_delta'], 1):.2f}"
        ok = c["peak_delta"] <= t["peak_delta"] + MEM_SLACK and c["growth_10_to_last"] <= MEM_SLACK
        row["verdict"] = "PASS" if ok else "FAIL"
        return row
    # deep_chain
    row["target"] = "completes, grad correct (memory: report)"
    row["pt"] = fmt_mib(t.get("peak_delta"))
    if t.get("peak_delta") is None:
        return row
    if c.get("peak_delta") is None:
        row["cr"] = "unavailable"
        row["verdict"] = "UNAVAILABLE" if c.get("unavailable") else "ERROR"
        return row
    row["cr"] = fmt_mib(c["peak_delta"])
    row["ratio"] = f"{c['peak_delta'] / max(t['peak_delta'], 1):.2f}"
    row["verdict"] = "PASS" if c.get("grad_ok") else "FAIL (wrong grad)"
    return row


# --------------------------------------------------------------------------- report
def details(b, threads, res, row):
    L = [f"**{threads} thread{'s' if threads > 1 else ''}** — {row['verdict']}"]
    pin, pin_ok = pin_summary(res, threads) if b["kind"] == "timed" else (None, True)
    if b["kind"] == "timed":
        if res.get("error"):
            L.append(f"- error: `{res['error']}`")
            for ln in res.get("stderr_tail", []):
                L.append(f"    - `{ln}`")
            return L
        unit = res.get("unit", "ms")
        L.append(f"- metric: {res.get('metric', '')}")
        for lab, key in (("chainrule", "chainrule"), ("PyTorch", "torch")):
            s = res.get(key)
            if s:
                L.append(
                    f"- {lab}: median {fmt_t(s['median'], unit)}, min {fmt_t(s['min'], unit)}"
                    f", p25–p75 {fmt_t(s['p25'], unit)}–{fmt_t(s['p75'], unit)}"
                    f" (n={s['n']})"
                )
        if res.get("cr_unavailable"):
            L.append(f"- chainrule unavailable: `{res['cr_unavailable']}`")
        c, t = res.get("chainrule"), res.get("torch")
        if c and t and c.get("cpu_median") and t.get("cpu_median"):
            L.append(
                f"- process CPU time (all threads; at 1 thread a view that other load "
                f"does not inflate): chainrule {fmt_t(c['cpu_median'], unit)}, PyTorch "
                f"{fmt_t(t['cpu_median'], unit)}, ratio "
                f"{c['cpu_median'] / t['cpu_median']:.2f}"
            )
        pr = res.get("paired_ratio")
        if pr:
            L.append(
                f"- per-repeat paired ratio chainrule/PyTorch: median {pr['median']:.2f}, "
                f"p25–p75 {pr['p25']:.2f}–{pr['p75']:.2f}"
            )
        ref = res.get("reference")
        if ref:
            L.append(f"- reference, {ref['label']}: {fmt_t(ref['median'], unit)}")
        gb = res.get("gemm_bound")
        if gb:
            L.append(
                f"- pure-GEMM lower bound: {gb['step_gflop']:.1f} GFLOP/step (3 GEMMs per "
                f"layer, 2mnk each) / NumPy float32 4096² GEMM "
                f"{gb['numpy_gemm_gflops']:.1f} GFLOP/s = {fmt_t(gb['bound_s'], 'ms')}"
            )
            cb = gb.get("chainrule_over_bound")
            cb_txt = "—" if cb is None else f"{cb:.2f}"
            L.append(
                f"- step time / GEMM bound: chainrule {cb_txt}, "
                f"PyTorch {gb['torch_over_bound']:.2f}"
            )
            gc_ = gb.get("cpu")
            if gc_:
                cbc = gc_.get("chainrule_over_bound")
                L.append(
                    "- same from process CPU time (GEMM "
                    f"{gc_['numpy_gemm_gflops']:.1f} GFLOP/s): chainrule "
                    f"{'—' if cbc is None else format(cbc, '.2f')}, "
                    f"PyTorch {gc_['torch_over_bound']:.2f}"
                )
        ga = res.get("gemm_alone")
        if ga:
            cb, cbc = ga.get("chainrule_over"), ga.get("chainrule_over_cpu")
            L.append(
                f"- the step's GEMMs alone (NumPy matmuls in chainrule's shapes, timed by "
                f"themselves): {fmt_t(ga['seconds'], 'ms')} for {ga['gflop']:.3f} GFLOP "
                f"({ga['gflop'] / ga['seconds']:.1f} GFLOP/s); step time / GEMM time: "
                f"chainrule {'—' if cb is None else format(cb, '.2f')}, PyTorch "
                f"{ga['torch_over']:.2f} (process CPU time: chainrule "
                f"{'—' if cbc is None else format(cbc, '.2f')}, PyTorch "
                f"{ga['torch_over_cpu']:.2f})"
            )
            if "flop_bound_s" in ga and c and t:
                L.append(
                    f"- the same FLOPs at NumPy's large-GEMM rate (2048², "
                    f"{ga['large_gemm_gflops']:.1f} GFLOP/s): {fmt_t(ga['flop_bound_s'], 'ms')}; "
                    f"step time / that bound: chainrule "
                    f"{c['median'] / ga['flop_bound_s']:.2f}, PyTorch "
                    f"{t['median'] / ga['flop_bound_s']:.2f}"
                )
        chk = res.get("check")
        if chk:
            L.append("- correctness vs PyTorch: " + ("ok" if chk["ok"] else "**MISMATCH**"))
            for ln in chk["lines"]:
                L.append(f"    - {ln}")
        for n in res.get("notes", []):
            L.append(f"- note: {n}")
        L.append(f"- threads seen in worker: {pin}" + ("" if pin_ok else " **PINNING MISMATCH**"))
        L.append(
            f"- worker wall time {res['wall_s']:.1f} s, peak RSS (process tree) "
            f"{res['max_tree_rss'] / MiB:.0f} MiB, background load "
            f"{fmt_bg(res.get('bg_cores'), flag=True)} cores"
        )
        return L

    for lab, key in (("PyTorch", "torch"), ("chainrule", "chainrule")):
        r = res.get(key, {})
        if r.get("error") or r.get("unavailable"):
            L.append(
                f"- {lab}: {'error' if r.get('error') else 'unavailable'}: "
                f"`{r.get('error') or r.get('unavailable')}`"
            )
            for ln in r.get("stderr_tail", []):
                L.append(f"    - `{ln}`")
            continue
        pin, pin_ok = pin_summary(r, threads)
        pin_txt = f"; threads seen: {pin}" + ("" if pin_ok else " **PINNING MISMATCH**")
        if b["name"] == "memory_mlp":
            L.append(
                f"- {lab}: peak RSS delta {fmt_mib(r['peak_delta'])} over "
                f"{r['steps']} steps (RSS before {fmt_mib(r['rss_before'])}, peak "
                f"{fmt_mib(r['peak_rss'])}); RSS after step 10 "
                f"{fmt_mib(r['rss_after_step10'])}, after step {r['steps']} "
                f"{fmt_mib(r['rss_after_last'])} → growth "
                f"{r['growth_10_to_last'] / MiB:+.2f} MiB; {r['train_s']:.2f} s" + pin_txt
            )
            tm = r.get("tracemalloc")
            if tm:
                L.append(
                    f"    - tracemalloc (Python objects + NumPy buffers), another "
                    f"{r['steps']} steps: peak {fmt_mib(tm['peak_delta'])} above start, "
                    f"growth step 10→{r['steps']} {tm['growth_10_to_last'] / MiB:+.2f} MiB"
                )
        else:
            L.append(
                f"- {lab}: {r['n_ops']:,} muls: forward {r['forward_s']:.2f} s, backward "
                f"{r['backward_s']:.2f} s; peak RSS delta {fmt_mib(r['peak_delta'])} "
                f"(RSS after forward {fmt_mib(r['rss_after_forward'] - r['rss_before'])} "
                f"above start, after releasing the graph "
                f"{fmt_mib(r['rss_after_release'] - r['rss_before'])}); grad "
                f"{r['grad']:.9g} vs expected {r['grad_expected']:.9g} "
                f"({'ok' if r['grad_ok'] else 'WRONG'})" + pin_txt
            )
    return L


def write_report(path, args, info, results, t_total):
    now = _dt.datetime.now().astimezone()
    cmd = (
        ("BENCH_SELF=1 " if info.get("self_test") else "")
        + "python "
        + shlex.join([os.path.relpath(sys.argv[0], REPO)] + sys.argv[1:])
    )
    out = ["# chainrule vs PyTorch — benchmark results", ""]
    if info.get("self_test"):
        out += [
            '> **SELF-TEST (BENCH_SELF=1): the "chainrule" column is PyTorch itself.** '
            "Ratios should be ≈ 1.00; their spread shows the harness's noise floor.",
            "",
        ]
    if args.quick:
        out += [
            "> **--quick**: few repeats (and a 10^5-op deep chain); a smoke test, not a "
            "measurement.",
            "",
        ]
    pinfo = info.get("info", {})
    blas = pinfo.get("numpy_blas", {})
    blas_txt = f"{blas.get('name')} {blas.get('version')}" if isinstance(blas, dict) else str(blas)
    pools = pinfo.get("pinning", {}).get("threadpools", [])
    if isinstance(pools, list) and pools:
        blas_txt += " — threadpoolctl: " + "; ".join(
            f"{p['prefix']} {p.get('version') or ''} ({p['api']}"
            + (f", {p['arch']}" if p.get("arch") else "")
            + ")"
            for p in pools
        )
    ncpu = os.cpu_count()
    try:
        naff = len(os.sched_getaffinity(0))
    except AttributeError:
        naff = ncpu
    mt = mem_total()
    out += [
        f"- **Date:** {now.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- **Command:** `{cmd}` (run from the repository root; total {t_total / 60:.1f} min)",
        f"- **CPU:** {cpu_model()}; {ncpu} logical CPUs ({naff} usable)"
        + (f"; RAM {mt / GiB:.1f} GiB" if mt else ""),
        f"- **OS / Python:** {platform.system()} {platform.release()}; Python "
        f"{pinfo.get('python', platform.python_version())}",
        f"- **NumPy:** {pinfo.get('numpy', '?')}; BLAS: {blas_txt}",
        f"- **PyTorch:** {pinfo.get('torch', '?')} (CPU); "
        + "; ".join(x.lstrip("- ") for x in pinfo.get("torch_blas", [])),
        f"- **chainrule:** {pinfo.get('chainrule', '?')}; git {git_state()}",
        f"- **Threads:** {', '.join(map(str, args.threads))}; each (benchmark, thread count) "
        "in a fresh process with OMP/OPENBLAS/MKL_NUM_THREADS=n set before import and "
        "torch.set_num_threads(n); per-worker thread counts verified with threadpoolctl "
        "(details below).",
        "",
        "Ratio = chainrule / PyTorch (median of interleaved repeats; lower is better for "
        "chainrule). *bg load* = CPU cores' worth of time used by other processes while the "
        f"benchmark ran (from /proc/stat); ⚠ marks > {BG_WARN} — those figures are "
        "contaminated by other work on the machine; rerun them on a quiet machine. "
        "*CPU-time ratio* (1 thread only) = the same ratio from process CPU time "
        "(`time.process_time`), which other processes barely inflate: a cross-check, not "
        "the verdict.",
        "",
        "## Summary",
        "",
        "| # | benchmark | threads | chainrule | PyTorch | ratio | target | result | bg load "
        "| CPU-time ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    counts = {}
    for i, b in enumerate(BENCHES, 1):
        if b["name"] not in results:
            continue
        for threads, res in results[b["name"]]:
            row = res["_row"]
            v = row["verdict"].split()[0]
            counts[v] = counts.get(v, 0) + 1
            out.append(
                f"| {i} | {b['title']} | {threads} | {row['cr']} | {row['pt']} | "
                f"{row['ratio']} | {row['target']} | {row['verdict']} | "
                f"{fmt_bg(res.get('bg_cores'), flag=True)} | "
                f"{row.get('cpu_ratio', '—')} |"
            )
    out += ["", "Totals: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), ""]
    busy = [
        f"{b['name']}@{th}"
        for b in BENCHES
        for th, r in results.get(b["name"], [])
        if (r.get("bg_cores") or 0) > BG_WARN
    ]
    if busy:
        out += [
            f"> **Warning: other processes were using the CPUs during {len(busy)} of the "
            f"rows above ({', '.join(busy)}).** Those timings (2-thread ones especially) "
            "are not trustworthy; rerun on an idle machine, or with `--wait-quiet 300`.",
            "",
        ]
    out += ["## Details", ""]
    for i, b in enumerate(BENCHES, 1):
        if b["name"] not in results:
            continue
        out += [f"### {i}. {b['title']} (`{b['name']}`)", ""]
        for threads, res in results[b["name"]]:
            out += details(b, threads, res, res["_row"]) + [""]
    out += [
        "## Method",
        "",
        "- Timing: `time.perf_counter`; each side runs once untimed (its outputs are "
        "checked against PyTorch's), then warm-ups, then repeats alternating chainrule / "
        "PyTorch with the order flipped every repeat and `gc.collect()` before each timed "
        "call (GC stays enabled inside it). Reported: medians. A repeat loop stops early "
        "(minimum 3 repeats) once it passes its time budget.",
        "- Memory (6, 7): each library in its own fresh process. After setup, "
        "`/proc/self/clear_refs` is written with 5, which resets the kernel's peak-RSS "
        "counter (VmHWM) to the current RSS; peak delta = VmHWM after the run − VmRSS "
        "before it. Growth = VmRSS after the last step − VmRSS after step 10. Pass for 6: "
        f"chainrule's peak delta ≤ PyTorch's + {MEM_SLACK // MiB} MiB and growth ≤ "
        f"{MEM_SLACK // MiB} MiB (allocator/page slack). tracemalloc figures (chainrule "
        "only: it cannot see torch's tensor storage) are a second view, not the verdict.",
        "- GEMM bound (5): FLOPs of one step counted as forward + grad-input + grad-weight "
        "GEMM for every layer (2·m·n·k each; the first layer's grad-input GEMM is not "
        "actually needed, so a ratio slightly under 1.0 is possible) divided by NumPy's "
        "measured float32 4096×4096 matmul rate at the same thread count.",
        "- GEMMs alone (lenet_step): the step's matrix products in the shapes chainrule's "
        "convolution lays them out (im2col columns, one GEMM per sample) and the linear "
        "layers' three GEMMs each, run by themselves with NumPy; step time / that time says "
        "how far the step is from doing nothing but its GEMMs.",
        "- The parent process polls each worker's process-tree RSS and kills it above "
        f"{args.mem_limit_gb:g} GiB or past its timeout; such runs are reported as ERROR.",
        "",
    ]
    with open(path, "w") as f:
        f.write(without_machine_paths("\n".join(out)))


def without_machine_paths(text):
    """The report names no path of this machine: paths in the repository become relative
    to it (``src/chainrule``) and the home folder becomes ``~``."""
    text = text.replace(REPO + os.sep, "").replace(REPO, ".")
    home = os.path.expanduser("~")
    return text.replace(home + os.sep, "~" + os.sep) if home not in ("", os.sep) else text


# --------------------------------------------------------------------------- main
def _on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    signal.signal(signal.SIGTERM, _on_sigterm)
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke test")
    ap.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=list(BY_NAME),
        help="run only these: " + ", ".join(BY_NAME),
    )
    ap.add_argument(
        "--skip",
        nargs="+",
        metavar="NAME",
        choices=list(BY_NAME),
        default=[],
        help="skip these (e.g. --skip deep_chain)",
    )
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each worker, wait up to SECONDS for other processes to "
        "leave the CPUs idle (for shared machines; default 0 = don't wait)",
    )
    ap.add_argument(
        "--mem-limit-gb",
        type=float,
        default=12.0,
        help="kill a worker whose process tree exceeds this RSS (default 12)",
    )
    args = ap.parse_args(argv)
    names = [
        b["name"]
        for b in BENCHES
        if (not args.only or b["name"] in args.only) and b["name"] not in args.skip
    ]
    mem_limit = int(args.mem_limit_gb * GiB)
    t_start = time.monotonic()

    def log(msg):
        print(f"[{time.monotonic() - t_start:6.1f}s] {msg}", flush=True)

    info = run_worker({"bench": "info"}, args.threads[0], 120, mem_limit)
    info["self_test"] = os.environ.get("BENCH_SELF", "") not in ("", "0")
    if info.get("error"):
        log(f"machine info worker failed: {info['error']} {info.get('stderr_tail')}")
    else:
        log(
            f"torch {info['info']['torch']}, numpy {info['info']['numpy']}, chainrule: "
            f"{info['info']['chainrule']}" + ("  [SELF-TEST]" if info["self_test"] else "")
        )

    results = {}
    for name in names:
        b = BY_NAME[name]
        cfg = dict(b["cfg"], **(b["quick"] if args.quick else {}))
        for threads in args.threads:
            log(f"{name} @ {threads} thread(s) ...")
            if args.wait_quiet > 0:
                wait_quiet(args.wait_quiet, log)
            if b["kind"] == "timed":
                res = run_worker({"bench": name, "cfg": cfg}, threads, b["timeout"], mem_limit)
            else:
                res = {"wall_s": 0.0, "max_tree_rss": 0, "bg_cores": 0.0}
                for lib in ("torch", "chainrule"):
                    if args.wait_quiet > 0 and lib == "chainrule":
                        wait_quiet(args.wait_quiet, log)
                    r = run_worker(
                        {"bench": name, "cfg": cfg, "lib": lib}, threads, b["timeout"], mem_limit
                    )
                    res[lib] = r
                    res["wall_s"] += r["wall_s"]
                    res["max_tree_rss"] = max(res["max_tree_rss"], r["max_tree_rss"])
                    res["bg_cores"] = max(res["bg_cores"], r.get("bg_cores") or 0.0)
            res["_row"] = row = evaluate(b, threads, res)
            results.setdefault(name, []).append((threads, res))
            extra = ""
            if res.get("error"):
                extra = f"  error: {res['error']} {res.get('stderr_tail', '')}"
            elif res.get("cr_unavailable"):
                extra = f"  chainrule unavailable: {res['cr_unavailable']}"
            elif b["kind"] == "memory" and res.get("chainrule", {}).get("unavailable"):
                extra = f"  chainrule unavailable: {res['chainrule']['unavailable']}"
            log(
                f"    chainrule {row['cr']} | torch {row['pt']} | ratio {row['ratio']} "
                f"(target {row['target']}) -> {row['verdict']} [{res['wall_s']:.1f}s, "
                f"background load {fmt_bg(res.get('bg_cores'))} cores]{extra}"
            )
            # write after every benchmark so an interrupted run still leaves a report
            write_report(args.output, args, info, results, time.monotonic() - t_start)
    write_report(args.output, args, info, results, time.monotonic() - t_start)
    log(f"wrote {os.path.relpath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
