"""``chainrule.nn``: modules, layers, losses, ``functional`` and ``init``, with PyTorch's names.

Every layer class is defined under ``chainrule.nn.modules`` and listed once, in its
``__all__``; this package re-exports exactly that list.

Example:
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    >>> loss = nn.CrossEntropyLoss()(model(x), y)
"""

from chainrule.nn import functional, init, modules, parallel, utils
from chainrule.nn.modules import *  # noqa: F403 -- the layer classes, listed in modules.__all__
from chainrule.nn.parameter import Buffer, Parameter

__all__ = [*modules.__all__, "Buffer", "Parameter", "functional", "init", "parallel", "utils"]
