"""The textbook's two-layer network, trained with the raw loop.

    y_hat = W2 f(W1 x + b1) + b2,      f = ReLU

We minimise the empirical risk R = (1/n) sum_i (y_i - y_hat_i)^2 by stochastic
gradient descent on mini-batches: compute the loss, call loss.backward() to get
every partial derivative by backpropagation, then step each parameter against
its gradient under no_grad (the update itself must not be recorded).

Run: python examples/textbook_two_layer_raw.py
"""

import math

import chainrule as torch

torch.manual_seed(0)

# Data: a nonlinear curve, y = sin(3x) + noise, that linear regression cannot fit.
n, k, m = 256, 1, 32  # samples, input features, hidden units
x = torch.rand(n, k) * 2 - 1
y = torch.sin(3 * x) + 0.05 * torch.randn(n, k)

# Parameters theta = (W1, b1, W2, b2), uniform in +-1/sqrt(fan_in) as nn.Linear does.
W1 = ((torch.rand(m, k) * 2 - 1) / math.sqrt(k)).requires_grad_()
b1 = ((torch.rand(m) * 2 - 1) / math.sqrt(k)).requires_grad_()
W2 = ((torch.rand(1, m) * 2 - 1) / math.sqrt(m)).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]

lr, batch_size = 0.1, 32
for step in range(2001):
    idx = torch.randint(0, n, (batch_size,))  # a random mini-batch
    xb, yb = x[idx], y[idx]
    hidden = torch.relu(xb @ W1.T + b1)  # features f(W1 x + b1)
    y_hat = hidden @ W2.T + b2  # prediction W2 f(...) + b2
    loss = ((yb - y_hat) ** 2).mean()  # empirical risk on the batch
    loss.backward()  # backpropagation: fills p.grad
    with torch.no_grad():  # theta <- theta - lr * grad
        for p in params:
            p.sub_(lr * p.grad)
            p.grad = None
    if step % 500 == 0:
        with torch.no_grad():
            risk = ((y - (torch.relu(x @ W1.T + b1) @ W2.T + b2)) ** 2).mean()
        print(f"step {step:4d}  training risk {risk.item():.4f}")
