import pytest
import torch
from threadpoolctl import threadpool_limits

import chainrule
from chainrule import _grad_mode

# The reference runs on one thread: on the shared 2-core CI machine torch's worker threads
# spin-wait against pytest-xdist's two processes.  NumPy's BLAS likewise: two xdist workers
# each running a many-threaded GEMM on 2 cores slowed the small ones tenfold.
torch.set_num_threads(1)
threadpool_limits(1)

# Test modules are every .py file under tests/ (pyproject's python_files = "*.py") except
# these helpers, which tests import.
collect_ignore_glob = [
    "*conftest.py",
    "*_helpers.py",
    "*__init__.py",
    "op_db.py",
    "op_db_*.py",
    "*/dot_parse.py",
]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Start every parametrized hypothesis test from the settings it was declared with.

    Hypothesis's pytest plugin wraps such a test's settings in a new settings object for
    each parameter, the previous one as its parent; after a few thousand parameters of one
    test in one process (the differential suite's entries) reading a setting recursed past
    Python's limit.  Restoring the declared settings keeps the chain one link long."""
    fn = getattr(item, "obj", None)
    fn = getattr(fn, "__func__", fn)
    current = getattr(fn, "_hypothesis_internal_use_settings", None)
    if current is None:
        return
    declared = getattr(fn, "_chainrule_declared_settings", None)
    if declared is None:
        fn._chainrule_declared_settings = current
    else:
        fn._hypothesis_internal_use_settings = declared


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Every test ends with grad mode on, anomaly mode off and float32 as the default dtype,
    whatever it did (in torch and in chainrule)."""
    yield
    torch.set_grad_enabled(True)
    torch.autograd.set_detect_anomaly(False)
    torch.set_default_dtype(torch.float32)
    # chainrule's own switches are reset directly: a bug in one of them (see the grad-mode
    # tests) must not leak into the tests that run after it in the same worker
    _grad_mode.grad_enabled[0] = True
    _grad_mode.anomaly_enabled[0] = False
    chainrule.set_default_dtype(chainrule.float32)


@pytest.fixture(scope="session")
def cr():
    """The module under test: chainrule (or torch itself with CHAINRULE_TEST_SELF=1)."""
    from op_db import module_under_test

    try:
        return module_under_test()
    except ImportError as e:
        pytest.fail(f"cannot import the module under test: {e}")
