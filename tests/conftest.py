import pytest
import torch

# The reference runs on one thread: on the shared 2-core CI machine torch's worker threads
# spin-wait against pytest-xdist's two processes.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def cr():
    """The module under test: chainrule (or torch itself with CHAINRULE_TEST_SELF=1)."""
    from op_db import module_under_test

    try:
        return module_under_test()
    except ImportError as e:
        pytest.fail(f"cannot import the module under test: {e}")
