"""A rank that raises ends the whole job, quickly, with a non-zero status and its message."""

import time

from mpi_helpers import mpirun, worker


def test_an_exception_on_one_rank_ends_every_rank():
    started = time.perf_counter()
    result = mpirun(worker("fault_worker.py"), timeout=60)
    seconds = time.perf_counter() - started
    assert result.returncode != 0
    assert seconds < 20, f"took {seconds:.1f} s: the other rank was left waiting"
    assert "[rank 1] ValueError: rank 1 gives up on purpose" in result.stderr, result.stderr
    assert "aborting every rank of the job" in result.stderr
    assert "rank 0 passed the first allreduce" in result.stdout
    assert "unreachable" not in result.stdout
