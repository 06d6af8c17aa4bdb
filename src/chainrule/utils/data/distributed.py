"""``DistributedSampler``: each rank's share of a dataset's indices, as in PyTorch."""

import math

import chainrule

__all__ = ["DistributedSampler"]


class DistributedSampler:
    """Deal the indices of ``dataset`` out to ``num_replicas`` ranks, one share per rank.

    The order (shuffled with seed ``seed + epoch``, or ``0 .. n-1``) is padded by repeating
    its first indices up to ``total_size = num_replicas * num_samples``, or, with
    ``drop_last``, cut down to it; rank ``r`` gets positions ``r, r + R, r + 2R, ...``
    (``R = num_replicas``).  So the shares are disjoint and together cover every index
    (exactly once when ``R`` divides ``n``, or with ``drop_last``; otherwise a few are
    repeated to even out the shares):

        num_samples = ceil(n / R)            (drop_last: ceil((n - R) / R) when R does not divide n)

    Call ``set_epoch(epoch)`` at the start of each epoch so that shuffling differs between
    epochs (and agrees between ranks).

    Args:
        dataset: a sized dataset.
        num_replicas: the number of ranks (default: ``dist.get_world_size()``).
        rank: this rank (default: ``dist.get_rank()``).
        shuffle: shuffle the indices (default True).
        seed: shuffling seed; must be the same on every rank (default 0).
        drop_last: drop the tail instead of padding (default False).

    Example:
        >>> sampler = DistributedSampler(dataset)
        >>> loader = DataLoader(dataset, batch_size=32, sampler=sampler)
        >>> for epoch in range(epochs):
        ...     sampler.set_epoch(epoch)
        ...     for x, y in loader: ...
    """

    def __init__(
        self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False
    ):
        if num_replicas is None or rank is None:
            import chainrule.distributed as dist  # PyTorch's ValueError when not initialised

            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            generator = chainrule.Generator().manual_seed(self.seed + self.epoch)
            indices = chainrule.randperm(n, generator=generator).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which seeds the shuffle (``seed + epoch``) on every rank alike."""
        self.epoch = epoch
