"""DistributedDataParallel on 2 MPI processes against one process on the full batch."""

from mpi_helpers import assert_all_ok, run_checks


def test_ddp_matches_one_process_on_the_full_batch(tmp_path):
    # 20 SGD and 20 Adam steps equal to the full-batch run (float64, 1e-10), buckets started
    # during backward, state broadcast at construction and buffers at each forward,
    # no_sync, find_unused_parameters, DistributedSampler's defaults, state_dict keys, and
    # the construction and usage errors
    assert_all_ok(run_checks("ddp_worker.py", tmp_path), n_checks=13)
