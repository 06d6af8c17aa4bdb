"""Containers: Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict."""

import operator
from collections import OrderedDict
from collections.abc import Mapping

from chainrule.nn.modules.module import Module, _addindent


def _normalize_index(idx, size, container):
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range for {container} of length {size}")
    return idx % size


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: an ordered run of submodules."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end; return self."""
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """A chain of modules: the output of each is the input of the next.

    .. math:: \\text{Sequential}(f_1, \\dots, f_n)(x) = f_n(\\cdots f_1(x))

    Args:
        *modules: the modules in order, or one ``dict`` from name to module.

    Example:
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        >>> model[0]
        Linear(in_features=4, out_features=8, bias=True)
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for idx, module in enumerate(modules):
                self.add_module(str(idx), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(dict(list(self._modules.items())[idx]))
        idx = _normalize_index(idx, len(self), "Sequential")
        return list(self._modules.values())[idx]

    def __setitem__(self, idx, module):
        idx = _normalize_index(idx, len(self), "Sequential")
        key = list(self._modules)[idx]
        self.add_module(key, module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        if isinstance(idx, slice):
            for key in keys[idx]:
                del self._modules[key]
        else:
            del self._modules[keys[_normalize_index(idx, len(self), "Sequential")]]


class ModuleList(_ModuleSequence):
    """A list of modules, registered so that ``parameters()`` and ``state_dict()`` see them.

    It has no ``forward``: the owner decides how to call its items.

    Example:
        >>> layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        idx = _normalize_index(idx, len(self), "ModuleList")
        return self._modules[str(idx)]

    def __setitem__(self, idx, module):
        idx = _normalize_index(idx, len(self), "ModuleList")
        self.add_module(str(idx), module)

    def __delitem__(self, idx):
        items = list(self._modules.values())
        if isinstance(idx, slice):
            del items[idx]
        else:
            del items[_normalize_index(idx, len(self), "ModuleList")]
        self._modules.clear()
        for i, module in enumerate(items):
            self.add_module(str(i), module)

    def extend(self, modules):
        """Add every module of an iterable at the end; return self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert ``module`` before position ``index``."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, item in enumerate(items):
            self.add_module(str(i), item)

    def __repr__(self):
        # As PyTorch: runs of identical items are shown once, as "(0-2): 3 x Linear(...)".
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        runs = []  # [start, end, text]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = []
        for start, end, text in runs:
            if start == end:
                line = f"({start}): {text}"
            else:
                line = f"({start}-{end}): {end - start + 1} x {text}"
            lines.append(_addindent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """An ordered dict of modules, registered so ``parameters()`` and ``state_dict()`` see them.

    Example:
        >>> heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Linear(8, 1)})
        >>> heads["cls"]
        Linear(in_features=8, out_features=3, bias=True)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        """Remove every module."""
        self._modules.clear()

    def pop(self, key):
        """Remove the module ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        """Add the modules of a mapping or of an iterable of ``(name, module)`` pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module


class ParameterList(Module):
    """A list of parameters, registered as ``"0"``, ``"1"``, ... so ``parameters()`` sees them."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _as_parameter(self, value):
        from chainrule.nn.parameter import Parameter

        return value if isinstance(value, Parameter) else Parameter(value)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        idx = _normalize_index(idx, len(self), "ParameterList")
        return self._parameters[str(idx)]

    def __setitem__(self, idx, param):
        idx = _normalize_index(idx, len(self), "ParameterList")
        self.register_parameter(str(idx), self._as_parameter(param))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value):
        """Add ``value`` (wrapped as a Parameter if needed) at the end; return self."""
        self.register_parameter(str(len(self)), self._as_parameter(value))
        return self

    def extend(self, values):
        """Append every value of an iterable; return self."""
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        lines = []
        for i, p in enumerate(self):
            size = "x".join(str(s) for s in p.shape)
            lines.append(f"  ({i}): Parameter containing: [{p.dtype} of size {size}]")
        return "\n".join(lines)


class ParameterDict(Module):
    """An ordered dict of parameters, registered under their keys so ``parameters()`` and
    ``state_dict()`` see them; tensors put in are wrapped as ``Parameter``."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        from chainrule.nn.parameter import Parameter

        if not isinstance(value, Parameter):
            value = Parameter(value)
        self.register_parameter(key, value)

    def __delitem__(self, key):
        del self._parameters[key]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        """The keys, in insertion order."""
        return self._parameters.keys()

    def items(self):
        """(key, parameter) pairs, in insertion order."""
        return self._parameters.items()

    def values(self):
        """The parameters, in insertion order."""
        return self._parameters.values()

    def get(self, key, default=None):
        """The parameter under ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def pop(self, key):
        """Remove the parameter under ``key`` and return it."""
        value = self[key]
        del self[key]
        return value

    def clear(self):
        """Remove every parameter."""
        self._parameters.clear()

    def update(self, parameters):
        """Add or replace entries from a mapping or an iterable of (key, value) pairs.

        As in PyTorch, a plain mapping is added in sorted key order; an ``OrderedDict``,
        a ``ParameterDict`` or a sequence of pairs in its own order.
        """
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self):
        lines = []
        for key, p in self.items():
            size = "x".join(str(s) for s in p.shape)
            lines.append(f"  ({key}): Parameter containing: [{p.type()} of size {size}]")
        return "\n".join(lines)
