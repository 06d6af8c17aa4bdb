"""A tiny character-level GPT, written for PyTorch as people write one after a lecture on
building GPT from scratch: token and position embeddings, a few pre-norm Transformer
blocks with causal multi-head self-attention and an MLP, a tied output head.

It runs unchanged on chainrule when the name ``torch`` and its submodules are chainrule's
(the test suite aliases them in ``sys.modules``); by hand, import ``chainrule as torch``,
``chainrule.nn as nn`` and ``chainrule.nn.functional as F`` instead.  The text is
generated here (two-digit additions, "17+25=42."), so the script needs no download; a
model that has learnt the format predicts every character but the digits of the operands
and the sum almost surely.

Block (pre-norm):  x ← x + Attn(LN(x)),  x ← x + MLP(LN(x)),
Attn: softmax(Q Kᵀ/√d + causal mask) V per head, via F.scaled_dot_product_attention
(``--manual-attention``: the explicit masked softmax with a registered ``tril`` buffer).

Run: python examples/tiny_gpt.py [--steps 300] [--seed 0] [--manual-attention]
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
parser.add_argument("--sample", type=int, default=60, help="characters to generate at the end")
parser.add_argument("--manual-attention", action="store_true", help="masked softmax by hand")
args = parser.parse_args()

# --------------------------------------------------------------------------- data
rng = random.Random(4321)
text = "".join(
    f"{a}+{b}={a + b}." for a, b in ((rng.randrange(100), rng.randrange(100)) for _ in range(8000))
)
chars = sorted(set(text))
vocab_size = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]

torch.manual_seed(args.seed)
batch_size, block_size = 16, 32
n_embd, n_head, n_layer, dropout = 64, 4, 2, 0.0


def get_batch(split):
    source = train_data if split == "train" else val_data
    ix = torch.randint(len(source) - block_size - 1, (batch_size,))
    x = torch.stack([source[i : i + block_size] for i in ix])
    y = torch.stack([source[i + 1 : i + block_size + 1] for i in ix])
    return x, y


# --------------------------------------------------------------------------- model
class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)
        # lower-triangular ones: position t may attend to positions <= t
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(n_embd, dim=2)
        q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
        if args.manual_attention:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            y = F.softmax(att, dim=-1) @ v
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.proj(y))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention()
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.GELU(approximate="tanh"),
            nn.Linear(4 * n_embd, n_embd),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight  # weight tying
        self.register_buffer("pos", torch.arange(block_size), persistent=False)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        x = self.tok_emb(idx) + self.pos_emb(self.pos[:T])
        logits = self.head(self.ln_f(self.blocks(x)))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -block_size:])
            probs = F.softmax(logits[:, -1, :], dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
        return idx


model = GPT()
n_params = sum(p.numel() for p in model.parameters())
buffers = [name for name, _ in model.named_buffers()]
print(f"vocabulary {vocab_size}, {n_params} parameters, buffers {len(buffers)}")
print(f"uniform-guess loss ln({vocab_size}) = {math.log(vocab_size):.3f}")
assert "pos" in buffers and "pos" not in model.state_dict()  # non-persistent
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)


@torch.no_grad()
def estimate_loss(iters=5):
    model.eval()
    out = {}
    for split in ("train", "val"):
        out[split] = sum(model(*get_batch(split))[1].item() for _ in range(iters)) / iters
    model.train()
    return out


eval_every = max(1, args.steps // 5)
for step in range(args.steps):
    x, y = get_batch("train")
    _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % eval_every == 0 or step == args.steps - 1:
        losses = estimate_loss()
        print(f"step {step:4d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")

model.eval()
start = torch.tensor([[stoi["1"]]], dtype=torch.long)
print("sample:", "".join(itos[i] for i in model.generate(start, args.sample)[0].tolist()))
