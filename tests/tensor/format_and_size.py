"""Small PyTorch behaviours of printing, formatting, Size arithmetic and where with two
numbers, compared with torch."""

import pytest
import torch

import chainrule as cr


@pytest.mark.parametrize(
    "values",
    [[0.0, float("nan")], [float("nan"), float("inf")], [0.0, 0.0], [1.0, float("inf"), -2.5]],
)
def test_reprs_without_finite_nonzero_values_match_torch(values):
    assert repr(cr.tensor(values)) == repr(torch.tensor(values))
    assert repr(cr.tensor([values, values])) == repr(torch.tensor([values, values]))


@pytest.mark.parametrize("spec", ["", ".2f", ">8.3f", "e"])
def test_a_0d_tensor_formats_as_its_number(spec):
    assert format(cr.tensor(1.5), spec) == format(torch.tensor(1.5), spec)
    assert f"{cr.tensor(3)}" == f"{torch.tensor(3)}"


def test_other_tensors_format_as_their_repr_and_refuse_a_spec():
    assert format(cr.tensor([1.0, 2.0])) == format(torch.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        format(cr.tensor([1.0, 2.0]), ".2f")
    with pytest.raises(TypeError):
        format(torch.tensor([1.0, 2.0]), ".2f")


def test_size_plus_tuple_is_a_size_either_way():
    for lib in (cr, torch):
        s = lib.Size([2, 3])
        assert isinstance(s + (4,), lib.Size) and isinstance((1,) + s, lib.Size)
        assert s + (4,) == (2, 3, 4) and (1,) + s == (1, 2, 3)
        with pytest.raises(TypeError):
            s + [4]


@pytest.mark.parametrize("a, b", [(1.0, 2.0), (1, 2), (True, False), (1, 2.5)])
def test_where_of_two_numbers_takes_torch_result_type(a, b):
    ours = cr.where(cr.tensor([True, False]), a, b)
    theirs = torch.where(torch.tensor([True, False]), a, b)
    assert str(ours.dtype) == str(theirs.dtype) and ours.tolist() == theirs.tolist()


VIEWS = {
    "contiguous": lambda t: t,
    "transposed": lambda t: t.t(),
    "expanded": lambda t: t[:, :1].expand(3, 5),
    "sliced": lambda t: t[1:, ::2],
    "unsqueezed": lambda t: t.unsqueeze(1),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_stride_and_data_ptr_of_views_match_torch(name):
    ours, theirs = VIEWS[name](cr.ones(3, 4)), VIEWS[name](torch.ones(3, 4))
    assert ours.stride() == theirs.stride()
    assert [ours.stride(d) for d in range(-ours.dim(), ours.dim())] == [
        theirs.stride(d) for d in range(-theirs.dim(), theirs.dim())
    ]
    base = cr.ones(3, 4)
    row = base[1]
    assert row.data_ptr() - base.data_ptr() == 4 * base.element_size()
    with pytest.raises(IndexError, match="Dimension out of range"):
        ours.stride(5)
