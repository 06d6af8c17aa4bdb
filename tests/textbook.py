"""The textbook's worked example, L = (a + 3b)·c², run as its PyTorch code."""

import subprocess
import sys
import textwrap

import chainrule as torch


def test_values_and_gradients():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    c = torch.tensor(4.0, requires_grad=True)
    q = a + 3 * b
    r = c**2
    L = q * r
    assert (q.item(), r.item(), L.item()) == (11.0, 16.0, 176.0)
    L.backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (16.0, 48.0, 88.0)


def test_printed_output_matches_pytorch_text():
    code = textwrap.dedent("""
        import chainrule as torch
        a = torch.tensor(2., requires_grad=True)
        b = torch.tensor(3., requires_grad=True)
        c = torch.tensor(4., requires_grad=True)
        q = a + 3 * b
        r = c ** 2
        print(q, r)
        L = q * r
        print(repr(L))
        L.backward()
        print(a.grad, b.grad, c.grad)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == [
        "tensor(11., grad_fn=<AddBackward0>) tensor(16., grad_fn=<PowBackward0>)",
        "tensor(176., grad_fn=<MulBackward0>)",
        "tensor(16.) tensor(48.) tensor(88.)",
    ]


def test_same_text_as_real_pytorch():
    import torch as real_torch

    def run(m):
        a = m.tensor(2.0, requires_grad=True)
        b = m.tensor(3.0, requires_grad=True)
        c = m.tensor(4.0, requires_grad=True)
        q, r = a + 3 * b, c**2
        L = q * r
        L.backward()
        return [repr(x) for x in (a, q, r, L, a.grad, b.grad, c.grad)]

    assert run(torch) == run(real_torch)
