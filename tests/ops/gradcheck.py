"""Finite-difference checks of chainrule's own gradients over the OP_DB entries.

``chainrule.autograd.gradcheck`` / ``gradgradcheck`` have torch's signature and semantics
(float64 inputs, central differences, return True or raise). The domains in op_db keep
inputs far (>= 0.05) from kinks and ties, much farther than the finite-difference step.
"""

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from op_db import OP_DB, MissingAPI, build_args, flatten_outputs, grad_positions, is_float_dtype

EXAMPLES = int(os.environ.get("CHAINRULE_GRADCHECK_EXAMPLES", "3"))
HYPO = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # no shrinking: each failing gradcheck example costs seconds of finite differences, and
    # the failing (already small) example is reported as drawn
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

GC = [
    pytest.param(e, id=e.name)
    for e in OP_DB
    if e.differentiable and e.gradcheck and "float64" in e.dtypes
]
GGC = [pytest.param(e, id=e.name) for e in OP_DB if e.gradgrad and e.gradcheck]


def closure(m, entry, data):
    """(f, leaves): f(*leaves) runs the op with the non-differentiable items fixed."""
    items = data.draw(entry.inputs, label="inputs")
    pos = grad_positions(entry, items, "float64")
    args, leaves = build_args(m, items, "float64", pos)

    def f(*xs):
        a = list(args)
        for p, x in zip(pos, xs):
            a[p] = x
        return tuple(o for o in flatten_outputs(entry.fn(m, *a)) if is_float_dtype(o))

    try:
        f(*leaves)
    except MissingAPI as e:
        pytest.skip(str(e))
    return f, tuple(leaves)


def get_checker(cr, name):
    autograd = getattr(cr, "autograd", None)
    return getattr(autograd, name, None)


@pytest.mark.parametrize("entry", GC)
@HYPO
@given(data=st.data())
def test_gradcheck(cr, entry, data):
    gradcheck = get_checker(cr, "gradcheck")
    assert gradcheck is not None, "chainrule.autograd.gradcheck is missing"
    f, leaves = closure(cr, entry, data)
    assert gradcheck(f, leaves) is True


@pytest.mark.parametrize("entry", GGC)
@HYPO
@given(data=st.data())
def test_gradgradcheck(cr, entry, data):
    gradgradcheck = get_checker(cr, "gradgradcheck")
    if gradgradcheck is None:
        pytest.skip("chainrule.autograd.gradgradcheck does not exist")
    f, leaves = closure(cr, entry, data)
    assert gradgradcheck(f, leaves) is True
