"""Errors of single ops for bad arguments: the message names the op and what was wrong, with
PyTorch's exception type. (Errors of the engine and of tensors in general: tests/errors.py.)"""

import pytest

import chainrule as cr


def test_lerp_rejects_mixed_dtypes():
    with pytest.raises(RuntimeError, match="lerp: expected dtype"):
        cr.lerp(cr.zeros(2, dtype=cr.float32), cr.zeros(2, dtype=cr.float64), 0.5)


def test_lerp_rejects_integer_input():
    with pytest.raises(TypeError, match="lerp: expected input to be a floating-point"):
        cr.lerp(cr.tensor([1, 2]), cr.zeros(2), 0.5)


def test_inplace_on_leaf_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="leaf Variable"):
        cr.ones(2, requires_grad=True).tanh_()


def test_scatter_errors():
    x = cr.zeros(3, 4)
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): Expected dtype int64"):
        cr.scatter_add(x, 0, cr.tensor([[0.0]]), cr.ones(1, 1))
    with pytest.raises(RuntimeError, match="scatter\\(\\): Index tensor must have the same"):
        cr.scatter(x, 0, cr.tensor([0]), cr.ones(1))
    with pytest.raises(RuntimeError, match="scatter\\(\\): Expected index \\[1, 5\\]"):
        cr.scatter(x, 0, cr.tensor([[0, 0, 0, 0, 0]]), cr.ones(1, 5))
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): index out of range"):
        cr.scatter_add(x, 0, cr.tensor([[3]]), cr.ones(1, 1))
    with pytest.raises(NotImplementedError, match="scatter: the reduce argument"):
        cr.scatter(x, 0, cr.tensor([[0]]), cr.ones(1, 1), reduce="multiply")
    with pytest.raises(TypeError, match="scatter\\(\\) missing"):
        cr.scatter(x, 0, cr.tensor([[0]]))
    with pytest.raises(IndexError, match="index_add_\\(\\): Index is supposed to be a vector"):
        cr.index_add(x, 0, cr.tensor([[0]]), cr.ones(1, 4))
    with pytest.raises(RuntimeError, match="index_add_\\(\\): source of shape \\[2, 4\\]"):
        cr.index_add(x, 0, cr.tensor([0]), cr.ones(2, 4))
    with pytest.raises(IndexError, match="index_add_\\(\\): index out of range"):
        cr.index_add(x, 0, cr.tensor([5]), cr.ones(1, 4))


def test_random_fill_errors():
    x = cr.empty(3)
    with pytest.raises(RuntimeError, match="uniform_ expects"):
        x.uniform_(2, 1)
    with pytest.raises(RuntimeError, match="normal_ expects std >= 0.0"):
        x.normal_(0, -1)
    with pytest.raises(RuntimeError, match="bernoulli_ expects p"):
        x.bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="random_ expects 'from'"):
        x.random_(5, 2)


def test_matrix_errors():
    with pytest.raises(NotImplementedError, match="einsum: ellipsis"):
        cr.einsum("...ij->...ji", cr.zeros(2, 3))
    with pytest.raises(NotImplementedError, match="einsum: an index repeated"):
        cr.einsum("ii->i", cr.zeros(3, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): 'ij,jk->ik' names 2 operands"):
        cr.einsum("ij,jk->ik", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): the subscript 'ij' names 2 dims"):
        cr.einsum("ij->i", cr.zeros(3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): subscript 'j' has size 4"):
        cr.einsum("ij,jk->ik", cr.zeros(2, 3), cr.zeros(4, 2))
    with pytest.raises(RuntimeError, match="einsum\\(\\): invalid output subscripts 'z'"):
        cr.einsum("ij->z", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): invalid subscript '1j'"):
        cr.einsum("1j->j", cr.zeros(2, 3))
    with pytest.raises(RuntimeError, match="einsum\\(\\): must provide at least one"):
        cr.einsum("ij->i")
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2"):
        cr.tril(cr.zeros(3))
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2"):
        cr.triu(cr.zeros(3))
    with pytest.raises(RuntimeError, match="diag: expected a 1-D or 2-D tensor"):
        cr.diag(cr.zeros(2, 2, 2))
    with pytest.raises(TypeError, match="trace\\(\\): expected a Tensor"):
        cr.trace([[1, 2]])
    with pytest.raises(RuntimeError, match="addmm: mat1 and mat2 shapes cannot be multiplied"):
        cr.addmm(cr.zeros(2, 2), cr.zeros(2, 3), cr.zeros(2, 2))
    with pytest.raises(RuntimeError, match="addmm: mat2 must be a matrix"):
        cr.addmm(cr.zeros(2, 2), cr.zeros(2, 3), cr.zeros(3))
    with pytest.raises(RuntimeError, match="addmm: input of shape \\[3\\] cannot be broadcast"):
        cr.addmm(cr.zeros(3), cr.zeros(2, 2), cr.zeros(2, 2))


def test_query_errors():
    with pytest.raises(TypeError, match="nonzero\\(\\): argument 'input' must be Tensor"):
        cr.nonzero([1, 0])
    with pytest.raises(TypeError, match="count_nonzero\\(\\): argument 'input'"):
        cr.count_nonzero([1, 0])
    with pytest.raises(TypeError, match="unique\\(\\): argument 'input'"):
        cr.unique([1, 0])
    with pytest.raises(TypeError, match="meshgrid\\(\\): argument 'input'"):
        cr.meshgrid([1, 0])
    with pytest.raises(ValueError, match="meshgrid: indexing must be one of"):
        cr.meshgrid(cr.zeros(2), indexing="xx")
    with pytest.raises(RuntimeError, match="meshgrid: expected 0-D or 1-D tensors"):
        cr.meshgrid(cr.zeros(2, 2))
    with pytest.raises(RuntimeError, match="meshgrid expects a non-empty TensorList"):
        cr.meshgrid()
    with pytest.raises(RuntimeError, match="meshgrid expects all tensors to have the same"):
        cr.meshgrid(cr.zeros(2), cr.zeros(2, dtype=cr.float64))


def test_topk_rejects_k_larger_than_the_dim():
    with pytest.raises(RuntimeError, match="topk"):
        cr.topk(cr.ones(3), 4)
