"""The textbook's two-layer network with nn.Sequential and optim.SGD.

The same model and loss as textbook_two_layer_raw.py,
    y_hat = W2 f(W1 x + b1) + b2,   R = (1/n) sum_i (y_i - y_hat_i)^2,
but nn.Linear holds (W, b), nn.MSELoss is the squared error, DataLoader deals
the shuffled mini-batches and optim.SGD performs theta <- theta - lr * grad.

Run: python examples/textbook_two_layer_nn.py
"""

import chainrule as torch
from chainrule import nn, optim
from chainrule.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# Data: a nonlinear curve, y = sin(3x) + noise.
n, k, m = 256, 1, 32  # samples, input features, hidden units
x = torch.rand(n, k) * 2 - 1
y = torch.sin(3 * x) + 0.05 * torch.randn(n, k)
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

model = nn.Sequential(
    nn.Linear(k, m),  # W1 x + b1
    nn.ReLU(),  # f
    nn.Linear(m, 1),  # W2 f(...) + b2
)
loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
print(model)

for epoch in range(201):
    for xb, yb in loader:
        optimizer.zero_grad()  # forget the last batch's gradients
        loss = loss_fn(model(xb), yb)  # empirical risk on the batch
        loss.backward()  # backpropagation
        optimizer.step()  # theta <- theta - lr * grad
    if epoch % 50 == 0:
        with torch.no_grad():
            risk = loss_fn(model(x), y)
        print(f"epoch {epoch:3d}  training risk {risk.item():.4f}")
