"""``Optimizer``: the bookkeeping shared by every optimiser.

The base class owns the parameter groups, the per-parameter state, ``zero_grad``,
the closure protocol and ``state_dict``. A subclass validates its hyperparameters
and implements ``_update(group)``, the maths of one step for one group, which
``step`` runs under ``no_grad``.
"""

import copy
from collections import defaultdict

import chainrule
from chainrule import Tensor


class _Required:
    """Marks a hyperparameter that has no default (PyTorch's ``required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class for optimisers.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], "lr": ...}``
            (parameter groups, each with its own hyperparameters).
        defaults: the default hyperparameters, used where a group does not set one.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` and every hyperparameter.
        state: dict from parameter to its state (momentum buffers, moments, step).
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                f"or dicts, but got {type(params).__name__}; pass model.parameters() or [tensor]"
            )
        param_groups = list(params)
        if not param_groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (e.g. a new layer's)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same parameter more than once")
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimised parameters (to ``None`` by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    with chainrule.no_grad():
                        p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient, once.

        Args:
            closure: optional function that re-evaluates the model and returns the
                loss (it should call ``zero_grad`` and ``backward``).

        Returns:
            the closure's loss, or ``None``.
        """
        loss = None
        if closure is not None:
            with chainrule.enable_grad():
                loss = closure()
        with chainrule.no_grad():
            for group in self.param_groups:
                self._update(group)
                for p in group["params"]:
                    if p.grad is not None:
                        p._bump_version()  # an in-place change, as autograd must know
        return loss

    def _update(self, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement _update(group)")

    @staticmethod
    def _gradients(group):
        """``(parameter, its array, its gradient array)`` for each parameter of ``group``
        that has a gradient; the gradient is negated when the group maximizes."""
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad._data
            yield p, p._data, -g if group["maximize"] else g

    # ------------------------------------------------------------------ state dict

    def state_dict(self):
        """Return ``{"state": {index: state}, "param_groups": [...]}``, parameters as indices."""
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
                packed["params"].append(index_of[id(p)])
            groups.append(packed)
        state = {index_of[id(p)]: s for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load the state and hyperparameters saved by :meth:`state_dict`."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({i}) with "
                    f"{len(saved['params'])} parameters, which doesn't match the size of "
                    f"the optimizer's group ({len(mine['params'])})"
                )
        param_of = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            param_of.update(zip(saved["params"], mine["params"]))
        self.state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            if index not in param_of:
                continue
            p = param_of[index]
            self.state[p] = {k: _copy_state_value(v, p) for k, v in saved_state.items()}
        for mine, saved in zip(self.param_groups, saved_groups):
            mine.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(group):
                if key != "params":
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"


def _copy_state_value(value, param):
    """A copy of a saved state value; float tensors take the parameter's dtype."""
    if isinstance(value, Tensor):
        with chainrule.no_grad():
            if value.dtype in (chainrule.float32, chainrule.float64) and value.ndim > 0:
                return value.to(param.dtype).clone()
            return value.clone()
    return copy.deepcopy(value)
