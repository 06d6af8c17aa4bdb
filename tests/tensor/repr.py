"""``repr`` compared character for character with PyTorch's, and grad_fn names."""

import pytest
import torch

import chainrule as cr

# --------------------------------------------------------------------------- repr
REPRS = {
    # scalars
    "scalar 2.": "m.tensor(2.)",
    "scalar 176.": "m.tensor(176.)",
    "scalar 0.5": "m.tensor(0.5)",
    "scalar 1e-5": "m.tensor(1e-5)",
    "scalar 123456789.": "m.tensor(123456789.0)",
    "scalar -3.": "m.tensor(-3.)",
    "scalar -0.5": "m.tensor(-0.5)",
    "scalar 0.": "m.tensor(0.)",
    "scalar 1/3": "m.tensor(1 / 3)",
    "scalar 1e10": "m.tensor(1e10)",
    "scalar int": "m.tensor(5)",
    "scalar negative int": "m.tensor(-12)",
    "scalar bool": "m.tensor(True)",
    "scalar float64": "m.tensor(2., dtype=m.float64)",
    "scalar float64 fraction": "m.tensor(0.1, dtype=m.float64)",
    # vectors
    "vector integers": "m.tensor([1., 2., 3.])",
    "vector fractions": "m.tensor([1.5, 2., -3.25])",
    "vector small and large": "m.tensor([1e-5, 1.])",
    "vector huge range": "m.tensor([1e10, 1.])",
    "vector 1 and 1000": "m.tensor([1., 1000.])",
    "vector 1 and 1001": "m.tensor([1., 1001.])",
    "vector 1e-4": "m.tensor([1e-4, 1.])",
    "vector 1e8": "m.tensor([1e8])",
    "vector 1e9": "m.tensor([1e9])",
    "vector zeros": "m.tensor([0., 0.])",
    "vector 123456.7": "m.tensor([123456.7])",
    "vector thirds": "m.arange(6.) / 3",
    "vector ints": "m.tensor([1, -20, 300])",
    "vector bools": "m.tensor([True, False, True])",
    "vector float64": "m.tensor([1., 2.], dtype=m.float64)",
    "vector float64 fractions": "m.tensor([0.125, -2.5], dtype=m.float64)",
    "vector negative zero": "m.tensor([-0., 1.])",
    # matrices and more dimensions
    "matrix": "m.tensor([[1., 2.], [3., 4.]])",
    "matrix mixed widths": "m.tensor([[0.1234567, 100.5], [3., 4.]])",
    "matrix ints": "m.tensor([[1, 2], [3, 40]])",
    "matrix bools": "m.tensor([[True], [False]])",
    "matrix float64": "m.tensor([[1.5, 2.], [3., 4.]], dtype=m.float64)",
    "row": "m.ones(1, 5)",
    "column": "m.ones(3, 1)",
    "3-D": "m.arange(24.).reshape(2, 3, 4)",
    "3-D ints": "m.arange(30).reshape(2, 3, 5)",
    "4-D": "m.ones(2, 2, 2, 2)",
    "3-D bool": "m.tensor([[[True]]])",
    # autograd suffixes
    "requires_grad": "m.tensor([1., 2.], requires_grad=True)",
    "requires_grad scalar": "m.tensor(2., requires_grad=True)",
    "requires_grad float64": "m.tensor([1., 2.], dtype=m.float64, requires_grad=True)",
    "grad_fn": "m.tensor([1., 2.], requires_grad=True) * 2",
    "grad_fn scalar": "m.tensor(1., requires_grad=True).exp()",
    "grad_fn matrix": "m.ones(2, 2, requires_grad=True) @ m.ones(2, 2)",
    # nan and inf
    "nan inf vector": "m.tensor([float('nan'), float('inf'), -float('inf'), 1.])",
    "nan with fraction": "m.tensor([float('nan'), 1.5])",
    "inf with large": "m.tensor([float('inf'), 1e10])",
    "nan scalar": "m.tensor(float('nan'))",
    "inf scalar": "m.tensor(float('-inf'))",
    "all nan": "m.tensor([float('nan'), float('nan')])",
    # empty
    "empty vector": "m.zeros(0)",
    "empty matrix": "m.zeros(0, 3)",
    "empty trailing": "m.zeros(2, 0)",
    "empty int64": "m.zeros(0, dtype=m.int64)",
    "empty float64": "m.zeros(0, dtype=m.float64)",
    "empty bool": "m.zeros(0, dtype=m.bool)",
    "empty list": "m.tensor([])",
    # line wrapping
    "long vector": "m.arange(100.)",
    "long vector fractions": "m.arange(100.) / 7",
    "long int vector": "m.arange(60) * 1001",
    "long vector float64": "m.arange(30., dtype=m.float64) / 7",
    "long vector requires_grad": "m.arange(40.).requires_grad_()",
    "float64 vector, suffix wraps": "m.arange(5., dtype=m.float64) * 1000.25 - 2000",
    "float64 matrix, suffix wraps": "m.arange(12., dtype=m.float64).reshape(2, 6) * 1000.25",
    "wide matrix": "m.arange(40.).reshape(2, 20) / 3",
    # summarised (> 1000 elements)
    "big vector": "m.arange(2000.)",
    "big int vector": "m.arange(5000)",
    "big fraction vector": "m.arange(1001.) / 1000",
    "big matrix": "m.arange(2000.).reshape(40, 50)",
    "big int matrix": "m.arange(1500).reshape(3, 500)",
    "big 3-D": "m.arange(3000.).reshape(10, 10, 30)",
    "big bool": "m.arange(1200) % 3 == 0",
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_matches_torch(name):
    expr = REPRS[name]
    got = repr(eval(expr, {"m": cr}))
    expected = repr(eval(expr, {"m": torch}))
    assert got == expected, f"\nchainrule:\n{got}\ntorch:\n{expected}"


@pytest.mark.parametrize("name", ["matrix", "grad_fn", "vector float64", "scalar 2."])
def test_str_is_repr(name):
    t = eval(REPRS[name], {"m": cr})
    assert str(t) == repr(t) == repr(eval(REPRS[name], {"m": torch}))


@pytest.mark.parametrize(
    "expr",
    [
        "m.tensor([1., 2.])",
        "m.tensor([1., 2.], dtype=m.float32)",
        "m.tensor([1., 2.], dtype=m.float64)",
        "m.tensor([1, 2])",
        "m.zeros(0)",
    ],
)
def test_repr_with_default_dtype_float64_matches_torch(expr):
    cr.set_default_dtype(cr.float64)
    torch.set_default_dtype(torch.float64)
    got = repr(eval(expr, {"m": cr}))
    expected = repr(eval(expr, {"m": torch}))
    assert got == expected


GRAD_FN_NAMES = {
    "a + b": "AddBackward0",
    "a + 3 * b": "AddBackward0",
    "3 * b": "MulBackward0",
    "c ** 2": "PowBackward0",
    "a * b": "MulBackward0",
    "a - b": "SubBackward0",
    "a / b": "DivBackward0",
    "-a": "NegBackward0",
    "a ** b": "PowBackward1",
    "2 ** a": "PowBackward2",
    "a + 1": "AddBackward0",
    "a / 2": "DivBackward0",
    "a.exp()": "ExpBackward0",
    "a.log()": "LogBackward0",
    "a.sin()": "SinBackward0",
    "a.tanh()": "TanhBackward0",
    "a.sigmoid()": "SigmoidBackward0",
    "a.relu()": "ReluBackward0",
    "a.sqrt()": "SqrtBackward0",
    "a.abs()": "AbsBackward0",
    "v.sum()": "SumBackward0",
    "v.sum(0)": "SumBackward1",
    "v.mean()": "MeanBackward0",
    "M @ M": "MmBackward0",
    "v @ v": "DotBackward0",
    "M.T": "PermuteBackward0",
    "M.transpose(0, 1)": "TransposeBackward0",
    "v[0]": "SelectBackward0",
    "v[1:]": "SliceBackward0",
    "v[[0, 1]]": "IndexBackward0",
    "M.view(4)": "ViewBackward0",
    "v.unsqueeze(0)": "UnsqueezeBackward0",
    "v.max()": "MaxBackward1",
    "m.cat([v, v])": "CatBackward0",
    "m.stack([v, v])": "StackBackward0",
    "v.clone()": "CloneBackward0",
    "v.double()": "ToCopyBackward0",
    "m.softmax(v, 0)": "SoftmaxBackward0",
    "v.clamp(0, 1)": "ClampBackward1",
    # PyTorch 2.13 names that chainrule spells differently (visible in repr)
    "M.t()": "TBackward0",
    "M.reshape(4)": "ViewBackward0",
    "M.flatten()": "ViewBackward0",
    "1 - a": "RsubBackward1",
    "v.prod()": "ProdBackward0",
    "M.squeeze()": "SqueezeBackward0",
    "v[None]": "UnsqueezeBackward0",
}


@pytest.mark.parametrize("expr", list(GRAD_FN_NAMES))
def test_grad_fn_names_match_torch(expr):
    def build(m):
        env = {
            "m": m,
            "a": m.tensor(2.0, requires_grad=True),
            "b": m.tensor(3.0, requires_grad=True),
            "c": m.tensor(4.0, requires_grad=True),
            "v": m.tensor([1.0, -2.0, 3.0, 4.0], requires_grad=True),
            "M": m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
        }
        return eval(expr, env)

    expected = build(torch)
    assert expected.grad_fn.name() == GRAD_FN_NAMES[expr]
    got = build(cr)
    assert got.grad_fn.name() == GRAD_FN_NAMES[expr]
    assert repr(got) == repr(expected)


def test_clamp_min_grad_fn_name():
    x = cr.ones(2, requires_grad=True)
    assert type(cr.clamp_min(x, 0).grad_fn).__name__ == "ClampMinBackward0"
    assert type(cr.clamp_max(x, 0).grad_fn).__name__ == "ClampMaxBackward0"


def test_values_and_indices_results_print_as_pytorch():
    for m_call in (
        lambda m, x: m.max(x, 1),
        lambda m, x: x.min(0),
        lambda m, x: m.sort(x[0]),
        lambda m, x: x.topk(1),
    ):
        got = m_call(cr, cr.tensor([[1.0, 2.0], [3.0, 0.5]]))
        want = m_call(torch, torch.tensor([[1.0, 2.0], [3.0, 0.5]]))
        assert repr(got) == repr(want)
        values, indices = got
        assert values is got.values and indices is got.indices


def test_mod_operator_records_remainder_backward():
    assert type((cr.ones(2, requires_grad=True) % 2).grad_fn).__name__ == "RemainderBackward0"
