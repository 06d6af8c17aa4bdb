"""``Flatten``: merge a range of dimensions into one."""

from chainrule.nn.modules.module import Module


class Flatten(Module):
    """Flatten dimensions ``start_dim`` to ``end_dim`` into one.

    Shape:
        input ``(N, *dims)``, output ``(N, prod(dims))`` with the defaults.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into ``unflattened_size`` (the inverse of ``Flatten``).

    Shape:
        input ``(*, S, *)`` with ``S = prod(unflattened_size)``, output
        ``(*, *unflattened_size, *)``.
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        dim = self.dim % input.ndim
        shape = tuple(input.shape[:dim]) + self.unflattened_size + tuple(input.shape[dim + 1 :])
        return input.reshape(shape)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
