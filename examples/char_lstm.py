"""A character-level LSTM language model, written for PyTorch.

It runs unchanged on chainrule when the name ``torch`` and its submodules are chainrule's
(the test suite aliases them in ``sys.modules``); by hand, import ``chainrule as torch``,
``chainrule.nn as nn`` and ``chainrule.nn.functional as F`` instead.  The text is
generated here from a small grammar, so the script needs no download: sentences such as
"the old cat sees a red ball." whose structure an LSTM can learn (loss well below the
ln(vocabulary) of a uniform guess).

The model predicts character t+1 from characters 0..t:
    x_t = Embedding(c_t),  (h_t, c_t) = LSTM(x_t, h_{t-1}, c_{t-1}),  logits_t = W h_t + b
and is trained with cross-entropy, AdamW and gradient clipping.

Run: python examples/char_lstm.py [--steps 300] [--seed 0]
"""

import argparse
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--steps", type=int, default=300, help="training steps")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--sample", type=int, default=120, help="characters to generate at the end")
args = parser.parse_args()


# --------------------------------------------------------------------------- data
def make_text(n_sentences, rng):
    """Sentences from a tiny grammar: [the|a] [adjective] noun verb [the|a] [adjective] noun."""
    nouns = ["cat", "dog", "bird", "fish", "ball", "tree", "house", "child"]
    adjectives = ["old", "red", "small", "happy", "green", "quiet"]
    verbs = ["sees", "likes", "finds", "wants", "chases", "hears"]

    def phrase():
        words = [rng.choice(["the", "a"])]
        if rng.random() < 0.5:
            words.append(rng.choice(adjectives))
        words.append(rng.choice(nouns))
        return words

    sentences = []
    for _ in range(n_sentences):
        sentence = phrase() + [rng.choice(verbs)] + phrase()
        sentences.append(" ".join(sentence) + ".")
    return " ".join(sentences) + " "


text = make_text(3000, random.Random(1234))
chars = sorted(set(text))
vocab_size = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}


def encode(s):
    return [stoi[c] for c in s]


def decode(ids):
    return "".join(itos[i] for i in ids)


data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]

torch.manual_seed(args.seed)
batch_size, block_size = 32, 48


def get_batch(split):
    source = train_data if split == "train" else val_data
    ix = torch.randint(len(source) - block_size - 1, (batch_size,))
    x = torch.stack([source[i : i + block_size] for i in ix])
    y = torch.stack([source[i + 1 : i + block_size + 1] for i in ix])
    return x, y


# --------------------------------------------------------------------------- model
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_size=128, num_layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


model = CharLSTM(vocab_size)
n_params = sum(p.numel() for p in model.parameters())
print(f"vocabulary {vocab_size} characters, {len(data)} in all; model {n_params} parameters")
print(f"uniform-guess loss ln({vocab_size}) = {math.log(vocab_size):.3f}")
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.01)


@torch.no_grad()
def estimate_loss(iters=5):
    model.eval()
    losses = {}
    for split in ("train", "val"):
        total = 0.0
        for _ in range(iters):
            x, y = get_batch(split)
            logits, _ = model(x)
            total += F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1)).item()
        losses[split] = total / iters
    model.train()
    return losses


eval_every = max(1, args.steps // 5)
for step in range(args.steps):
    x, y = get_batch("train")
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % eval_every == 0 or step == args.steps - 1:
        losses = estimate_loss()
        print(f"step {step:4d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")


# --------------------------------------------------------------------------- sampling
@torch.no_grad()
def generate(prompt, length):
    """Feed the prompt, then sample one character at a time, carrying the LSTM state."""
    model.eval()
    idx = torch.tensor([encode(prompt)], dtype=torch.long)
    logits, state = model(idx)
    out = list(encode(prompt))
    for _ in range(length):
        probs = F.softmax(logits[:, -1, :], dim=-1)
        nxt = torch.multinomial(probs, num_samples=1)
        out.append(int(nxt.item()))
        logits, state = model(nxt, state)
    return decode(out)


print("sample:", generate("the ", args.sample))
