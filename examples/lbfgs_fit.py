"""Logistic regression on scikit-learn's breast-cancer data, fitted with L-BFGS: a PyTorch
program as people write one for a small, smooth problem (full batch, a closure, the
strong-Wolfe line search, double precision).

It runs unchanged on chainrule when ``torch`` names chainrule (write
``import chainrule as torch``; the test suite aliases the module instead), and reaches the
same loss: the objective is convex and both libraries take the same L-BFGS steps.

    loss(w, b) = mean_i BCE(sigmoid(x_i . w + b), y_i) + lam * ||w||^2

Run: python examples/lbfgs_fit.py [--steps 8] [--lam 1e-4] [--line-search none]
"""

import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--steps", type=int, default=8, help="optimizer.step(closure) calls")
parser.add_argument("--lam", type=float, default=1e-4, help="L2 penalty on the weights")
parser.add_argument("--line-search", choices=["strong_wolfe", "none"], default="strong_wolfe")
args = parser.parse_args()

torch.set_default_dtype(torch.float64)

# --------------------------------------------------------------------------- data
data = load_breast_cancer()
order = np.random.default_rng(0).permutation(len(data.target))
n_train = int(0.8 * len(order))
train, test = order[:n_train], order[n_train:]
mean, std = data.data[train].mean(axis=0), data.data[train].std(axis=0)
x = torch.tensor((data.data - mean) / std)
y = torch.tensor(data.target, dtype=torch.float64)
x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]

# --------------------------------------------------------------------------- model
model = nn.Linear(x.shape[1], 1)
nn.init.zeros_(model.weight)  # a convex problem: start at zero, no randomness
nn.init.zeros_(model.bias)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.LBFGS(
    model.parameters(),
    lr=1,
    max_iter=5,
    history_size=10,
    line_search_fn=None if args.line_search == "none" else args.line_search,
)


def objective():
    logits = model(x_train).squeeze(1)
    return loss_fn(logits, y_train) + args.lam * (model.weight**2).sum()


def closure():
    optimizer.zero_grad()
    loss = objective()
    loss.backward()
    return loss


print(f"{n_train} training and {len(test)} test samples, {x.shape[1]} features")
for step in range(args.steps):
    loss = optimizer.step(closure)
    print(f"step {step}: loss {loss.item():.10f}")

with torch.no_grad():
    final = objective().item()
    accuracy = ((model(x_test).squeeze(1) > 0).double() == y_test).double().mean().item()
state = optimizer.state[model.weight]
print(f"function evaluations {state['func_evals']}, iterations {state['n_iter']}")
print(f"final loss {final:.10f}, test accuracy {accuracy:.4f}")
