"""``chainrule.distributions``: probability distributions with PyTorch's torch.distributions
API (sample, rsample, log_prob, entropy, ...)."""

__all__ = []
