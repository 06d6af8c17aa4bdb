"""``chainrule.optim``: optimisers (``SGD``, ``Adam``, ``AdamW``) and ``lr_scheduler``."""

from chainrule.optim import lr_scheduler
from chainrule.optim.adam import Adam, AdamW
from chainrule.optim.optimizer import Optimizer
from chainrule.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler"]
