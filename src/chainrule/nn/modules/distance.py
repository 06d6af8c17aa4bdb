"""``PairwiseDistance`` and ``CosineSimilarity`` between two batches of vectors."""

from chainrule.nn import functional as F
from chainrule.nn.modules.module import Module


class PairwiseDistance(Module):
    """:math:`\\lVert x_1 - x_2 + \\epsilon \\rVert_p` along the last dim."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """:math:`x_1 \\cdot x_2 / (\\max(\\lVert x_1 \\rVert, \\epsilon)
    \\max(\\lVert x_2 \\rVert, \\epsilon))` along ``dim``."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
