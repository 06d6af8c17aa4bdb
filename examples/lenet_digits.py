"""LeNet-5 on scikit-learn's handwritten digits, written for PyTorch.

It runs unchanged on chainrule when ``torch`` names chainrule (write
``import chainrule as torch``; the test suite aliases the module instead).  The 1797
bundled 8x8 digits (no download) are resized to LeNet's 28x28 input with bilinear
interpolation, and the classic network

    conv 5x5 (1 -> 6, padding 2) - ReLU - max pool 2   28x28 -> 14x14
    conv 5x5 (6 -> 16)           - ReLU - max pool 2   14x14 -> 10x10 -> 5x5
    linear 400 -> 120 - ReLU - linear 120 -> 84 - ReLU - linear 84 -> 10

is trained with cross-entropy and Adam, the learning rate annealed to 0 (cosine).  A fixed
fifth of the digits is held out (scikit-learn's split: the same for every library and
seed); a few epochs reach about 97% test accuracy.

Run: python examples/lenet_digits.py [--epochs 4] [--seed 0]
"""

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
torch.manual_seed(args.seed)

# --------------------------------------------------------------------------- data
digits = load_digits()
train_images, test_images, train_labels, test_labels = train_test_split(
    digits.images, digits.target, test_size=0.2, random_state=0, stratify=digits.target
)


def to_lenet_input(images):
    """(N, 8, 8) pixel values 0..16 → (N, 1, 28, 28) float32 tensor (bilinear resize)."""
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 16.0
    return F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)


train_x, test_x = to_lenet_input(train_images), to_lenet_input(test_images)
mean, std = train_x.mean(), train_x.std()
train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
train_set = TensorDataset(train_x, torch.tensor(train_labels, dtype=torch.long))
test_y = torch.tensor(test_labels, dtype=torch.long)
loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
print(f"{len(train_set)} training and {len(test_y)} test digits of shape {tuple(test_x.shape[1:])}")


# --------------------------------------------------------------------------- model
class LeNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, n_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # (N, 6, 14, 14)
        x = self.pool(F.relu(self.conv2(x)))  # (N, 16, 5, 5)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)  # logits


model = LeNet()
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
loss_fn = nn.CrossEntropyLoss()


def accuracy(x, y):
    model.eval()
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return correct


# --------------------------------------------------------------------------- training
for epoch in range(1, args.epochs + 1):
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
    scheduler.step()
    print(
        f"epoch {epoch}: train loss {total / count:.4f}, "
        f"test accuracy {accuracy(test_x, test_y):.4f}"
    )
