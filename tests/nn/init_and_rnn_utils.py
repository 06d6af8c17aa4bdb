"""nn.init's eye_, dirac_ (exactly torch's values), orthogonal_, trunc_normal_ and sparse_
(their properties and distributions, since the two libraries draw different random
numbers); nn.utils.rnn's padding and packing (exactly torch's tensors, and round trips)."""

import math

import numpy as np
import pytest
import torch

import chainrule
from chainrule import nn

# ------------------------------------------------------------------------ init: exact ones


@pytest.mark.parametrize("shape", [(3, 5), (4, 2), (3, 3)])
def test_eye_matches_torch(shape):
    ours = nn.Parameter(chainrule.randn(*shape))
    out = nn.init.eye_(ours)
    assert out is ours and ours.is_leaf and ours.requires_grad
    np.testing.assert_array_equal(ours.detach().numpy(), torch.nn.init.eye_(torch.empty(shape)))


@pytest.mark.parametrize(
    "shape,groups",
    [
        ((4, 3, 5), 1),
        ((6, 4, 3, 3), 2),
        ((4, 2, 3, 3, 3), 1),
        ((8, 2, 2, 3), 4),
        ((2, 5, 4), 1),
        ((6, 1, 5, 4), 3),
    ],  # fmt: skip
)
def test_dirac_matches_torch(shape, groups):
    ours = chainrule.randn(*shape)
    assert nn.init.dirac_(ours, groups=groups) is ours
    theirs = torch.nn.init.dirac_(torch.randn(shape), groups=groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_dirac_keeps_a_convolution_identity():
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = chainrule.randn(2, 3, 5, 5)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)


def test_init_shape_errors_match_torch():
    cases = [
        ("eye_", (3, 3, 3), {}),
        ("dirac_", (3, 3), {}),
        ("dirac_", (6, 2, 3), {"groups": 4}),
        ("orthogonal_", (3,), {}),
        ("sparse_", (3, 3, 3), {"sparsity": 0.5}),
    ]
    for name, shape, kwargs in cases:
        with pytest.raises(ValueError) as theirs:
            getattr(torch.nn.init, name)(torch.empty(shape), **kwargs)
        with pytest.raises(ValueError, match=str(theirs.value).split(" (")[0][:30]):
            getattr(nn.init, name)(chainrule.empty(*shape), **kwargs)


# ------------------------------------------------------------------------ init: random ones


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 6)])
def test_orthogonal_is_orthogonal(shape):
    g = chainrule.Generator().manual_seed(0)
    w = nn.init.orthogonal_(chainrule.empty(*shape, dtype=chainrule.float64), gain=2.0, generator=g)
    m = w.numpy().reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    again = nn.init.orthogonal_(
        chainrule.empty(*shape, dtype=chainrule.float64), 2.0, chainrule.Generator().manual_seed(0)
    )
    np.testing.assert_array_equal(again.numpy(), w.numpy())


def test_orthogonal_is_haar_distributed():
    """Each entry of a uniformly random orthogonal n x n matrix has mean 0 and variance 1/n;
    without the sign correction, QR's diagonal convention would bias them."""
    n, draws = 3, 3000
    g = chainrule.Generator().manual_seed(1)
    samples = np.stack(
        [nn.init.orthogonal_(chainrule.empty(n, n), generator=g).numpy() for _ in range(draws)]
    )
    se_mean = math.sqrt(1 / n / draws)
    assert np.abs(samples.mean(axis=0)).max() < 5 * se_mean
    np.testing.assert_allclose((samples**2).mean(axis=0), 1 / n, atol=0.03)


def _truncated_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    m = (phi(alpha) - phi(beta)) / z
    var = 1 + (alpha * phi(alpha) - beta * phi(beta)) / z - m * m
    return mean + std * m, std * std * var


@pytest.mark.parametrize(
    "mean,std,a,b",
    [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 3.0), (0.0, 1.0, 1.5, 4.0), (0.0, 2.0, -0.5, 0.1)],
)
def test_trunc_normal_distribution(mean, std, a, b):
    """Both of torch's samplers (rejection from the normal when the kept mass is > 0.3, else
    from the uniform): samples inside [a, b], with the truncated normal's mean and variance."""
    n = 40000
    g = chainrule.Generator().manual_seed(2)
    x = nn.init.trunc_normal_(chainrule.empty(n, dtype=chainrule.float64), mean, std, a, b, g)
    x = x.numpy()
    assert x.min() >= a and x.max() <= b
    m, var = _truncated_moments(mean, std, a, b)
    assert abs(x.mean() - m) < 5 * math.sqrt(var / n)
    assert abs(x.var() - var) < 0.05 * var
    theirs = torch.nn.init.trunc_normal_(torch.empty(n, dtype=torch.float64), mean, std, a, b)
    assert abs(x.mean() - theirs.mean().item()) < 7 * math.sqrt(var / n)


def test_trunc_normal_float32_bounds_and_warning():
    x = nn.init.trunc_normal_(chainrule.empty(500), std=0.02, a=-0.04, b=0.04)
    assert x.dtype == chainrule.float32
    assert x.min().item() >= np.float32(-0.04) and x.max().item() <= np.float32(0.04)
    for lib in (torch, chainrule):
        with pytest.warns(UserWarning, match="mean is more than 2 std from"):
            lib.nn.init.trunc_normal_(lib.empty(3), mean=5.0, a=-1.0, b=1.0)


@pytest.mark.parametrize("shape,sparsity", [((10, 6), 0.3), ((7, 4), 0.5), ((5, 3), 0.0)])
def test_sparse_zeroes_a_fixed_count_per_column(shape, sparsity):
    g = chainrule.Generator().manual_seed(3)
    w = nn.init.sparse_(chainrule.empty(*shape), sparsity, std=0.5, generator=g).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(shape), sparsity, std=0.5).numpy()
    np.testing.assert_array_equal((w == 0).sum(axis=0), (theirs == 0).sum(axis=0))
    assert ((w == 0).sum(axis=0) == math.ceil(sparsity * shape[0])).all()
    big = nn.init.sparse_(chainrule.empty(400, 200), 0.25, std=0.5, generator=g).numpy()
    nonzero = big[big != 0]
    assert abs(nonzero.std() - 0.5) < 0.02 and abs(nonzero.mean()) < 0.02
    # the zeroed rows differ between columns (a fresh permutation for each)
    assert len({tuple(np.flatnonzero(col == 0)) for col in big.T}) > 150


# ------------------------------------------------------------------------ nn.utils.rnn

LENGTHS = [3, 5, 1, 5, 2]  # unsorted, with a tie


def _sequences(lib, lengths=LENGTHS, trailing=(2,)):
    rng = np.random.default_rng(4)
    arrays = [rng.normal(size=(n, *trailing)) for n in lengths]
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def _grads(tensors):
    return [t.grad.numpy() for t in tensors]


def _weights(shape):
    return np.random.default_rng(5).normal(size=shape)


def _assert_same(ours, theirs):
    if theirs is None:
        assert ours is None
        return
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (2, 3)])
def test_pad_sequence_matches_torch(batch_first, padding_side, trailing):
    outs, grads = [], []
    for lib in (chainrule, torch):
        seqs = _sequences(lib, trailing=trailing)
        out = lib.nn.utils.rnn.pad_sequence(
            seqs, batch_first=batch_first, padding_value=-1.5, padding_side=padding_side
        )
        (out * lib.tensor(_weights(tuple(out.shape)))).sum().backward()
        outs.append(out)
        grads.append(_grads(seqs))
    _assert_same(*outs)
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[5, 5, 3, 2, 1], LENGTHS])
def test_pack_padded_sequence_matches_torch(batch_first, lengths):
    packs, grads = [], []
    sorted_ = lengths == sorted(lengths, reverse=True)
    for lib in (chainrule, torch):
        padded = lib.nn.utils.rnn.pad_sequence(_sequences(lib, lengths), batch_first=batch_first)
        padded = padded.detach().requires_grad_()
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            padded, lib.tensor(lengths), batch_first=batch_first, enforce_sorted=sorted_
        )
        (packed.data * lib.tensor(_weights(tuple(packed.data.shape)))).sum().backward()
        packs.append(packed)
        grads.append(padded.grad.numpy())
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        _assert_same(getattr(packs[0], field), getattr(packs[1], field))
    np.testing.assert_array_equal(grads[0], grads[1])
    assert type(packs[0]).__name__ == "PackedSequence" and len(packs[0]) == 4


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [None, 7])
def test_pad_packed_sequence_round_trip_matches_torch(batch_first, total_length):
    results, grads = [], []
    for lib in (chainrule, torch):
        seqs = _sequences(lib)
        packed = lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)
        padded, lengths = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first=batch_first, padding_value=9.0, total_length=total_length
        )
        (padded * lib.tensor(_weights(tuple(padded.shape)))).sum().backward()
        unpacked = lib.nn.utils.rnn.unpack_sequence(packed)
        padded = padded.detach().clone()  # torch's unpad_sequence transposes its input in place
        unpadded = lib.nn.utils.rnn.unpad_sequence(padded.clone(), lengths, batch_first=batch_first)
        results.append((padded, lengths, unpacked, unpadded, seqs))
        grads.append(_grads(seqs))
    (padded, lengths, unpacked, unpadded, seqs), theirs = results
    _assert_same(padded, theirs[0])
    _assert_same(lengths, theirs[1])
    assert lengths.tolist() == LENGTHS
    for ours_list, theirs_list in ((unpacked, theirs[2]), (unpadded, theirs[3])):
        for a, b, original in zip(ours_list, theirs_list, seqs):
            _assert_same(a, b)
            np.testing.assert_array_equal(a.detach().numpy(), original.detach().numpy())
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


def test_packed_sequence_fields_and_to():
    packed = nn.utils.rnn.pack_sequence([chainrule.tensor([1, 2, 3]), chainrule.tensor([4, 5])])
    theirs = torch.nn.utils.rnn.pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])])
    assert repr(packed) == repr(theirs)
    as_double = packed.double()
    assert as_double.data.dtype == chainrule.float64 and as_double.batch_sizes is packed.batch_sizes
    assert packed.long() is packed
    rebuilt = nn.utils.rnn.PackedSequence((packed.data, packed.batch_sizes))
    assert rebuilt.batch_sizes.tolist() == [2, 2, 1] and rebuilt.sorted_indices is None


def test_rnn_utils_errors_match_torch():
    cases = [
        ("pad_sequence", lambda lib: ([],), {}),
        ("pad_sequence", lambda lib: ([lib.ones(2)],), {"padding_side": "top"}),
        ("pack_padded_sequence", lambda lib: (lib.ones(3, 2), [1, 2]), {}),
        ("pack_padded_sequence", lambda lib: (lib.ones(3, 2), [0, 2]), {"enforce_sorted": False}),
        ("pack_padded_sequence", lambda lib: (lib.ones(3, 2), [3, 2, 1]), {}),
    ]
    for name, args, kwargs in cases:
        with pytest.raises(RuntimeError) as theirs:
            getattr(torch.nn.utils.rnn, name)(*args(torch), **kwargs)
        with pytest.raises(RuntimeError) as ours:
            getattr(nn.utils.rnn, name)(*args(chainrule), **kwargs)
        assert str(ours.value) == str(theirs.value)
    packed = nn.utils.rnn.pack_sequence([chainrule.ones(3), chainrule.ones(2)])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        nn.utils.rnn.pad_packed_sequence(packed, total_length=2)


def test_parameters_to_vector_round_trip_matches_torch():
    shapes = [(2, 3), (4,), (1, 2, 2)]
    ours = [nn.Parameter(chainrule.tensor(_weights(s))) for s in shapes]
    theirs = [torch.nn.Parameter(torch.tensor(_weights(s))) for s in shapes]
    vec = nn.utils.parameters_to_vector(ours)
    _assert_same(vec, torch.nn.utils.parameters_to_vector(theirs))
    nn.utils.vector_to_parameters(vec * 2, ours)
    torch.nn.utils.vector_to_parameters(torch.nn.utils.parameters_to_vector(theirs) * 2, theirs)
    for a, b in zip(ours, theirs):
        _assert_same(a, b)
