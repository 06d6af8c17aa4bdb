"""Every collective of chainrule.distributed on 2 MPI processes, checked against NumPy."""

from mpi_helpers import assert_all_ok, run_checks


def test_collectives_match_numpy_on_every_rank(tmp_path):
    # all_reduce (5 ops on float64, float32, 7 ops on int64, bool, a strided view, async),
    # broadcast, all_gather, reduce, gather, scatter (sync and async), argument errors,
    # barrier, object collectives, init/destroy: 35 checks, each rank against NumPy
    assert_all_ok(run_checks("collectives_worker.py", tmp_path), n_checks=35)
