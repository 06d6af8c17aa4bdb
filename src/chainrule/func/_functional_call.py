"""``functional_call``: run a Module with parameters and buffers given as a dict.

The module's own tensors are swapped out for the given ones for the duration of the call
and put back afterwards (also when the call raises), so a model becomes a function of its
parameters that ``grad``, ``jacrev`` and ``vmap`` can transform.
"""

import numpy as np

from .._tensor import Tensor
from ._pytree import to_tensors

__all__ = ["functional_call"]

_MISSING = object()


def functional_call(
    module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced.

    Args:
        module: the ``nn.Module`` to call.
        parameter_and_buffer_dicts: ``{dotted name: tensor}``, or a tuple/list of such
            dicts (e.g. ``(params, buffers)``) whose keys must not repeat.
        args: the positional arguments; a single non-tuple value is one argument.
        kwargs: the keyword arguments.
        tie_weights: a tensor the module holds under several names (tied weights) is
            replaced under all of them when one name is given; different values for
            tied names are an error.
        strict: every parameter and buffer must be given, and nothing else.

    Example:
        >>> model = nn.Linear(3, 1)
        >>> params = {k: v.detach() for k, v in model.named_parameters()}
        >>> loss = lambda p, x: functional_call(model, p, (x,)).sum()
        >>> grads = grad(loss)(params, torch.ones(2, 3))  # a dict like params
    """
    given = _merge(parameter_and_buffer_dicts)
    given = {
        k: to_tensors(v) if isinstance(v, (np.ndarray, np.generic)) else v for k, v in given.items()
    }
    if tie_weights:
        given = _untie(module, given)
    if strict:
        _check_keys(module, given)
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    originals = []
    try:
        for name, value in given.items():
            originals.append((name, _swap(module, name, value)))
        return module(*args, **kwargs)
    finally:
        for name, value in reversed(originals):
            _swap(module, name, value)


def _merge(dicts):
    if isinstance(dicts, dict):
        return dicts
    if isinstance(dicts, (tuple, list)):
        if not all(isinstance(d, dict) for d in dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts = {}
        for d in dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call "
                f"is ambiguous"
            )
        return {k: v for d in dicts for k, v in d.items()}
    raise ValueError(
        f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
        f"{type(dicts)}"
    )


def _named_tensors(module):
    """Every parameter and buffer by every name it has (tied tensors more than once)."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module, given):
    """``given`` extended to every name of each tied tensor that one of its names sets."""
    names_of = {}
    for name, tensor in _named_tensors(module).items():
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {n: names for names in names_of.values() if len(names) > 1 for n in names}
    untied = dict(given)
    for name in [n for n in given if n in tied]:
        names = tied[name]
        values = {id(given[n]) for n in names if n in given}
        if len(values) > 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(names)}, which are "
                f"tied. Consider using tie_weights=False"
            )
        for other in names:
            untied[other] = given[name]
    return untied


def _check_keys(module, given):
    own = _named_tensors(module)
    unexpected = sorted(k for k in given if k not in own)
    missing = sorted(k for k in own if k not in given)
    errors = []
    if unexpected:
        errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if errors:
        raise RuntimeError(
            f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(errors)
        )


def _swap(module, name, value):
    """Put ``value`` at dotted ``name`` (a parameter, buffer or plain attribute) and return
    what was there (``_MISSING`` if nothing; passing ``_MISSING`` removes the attribute)."""
    if value is not _MISSING and value is not None and not isinstance(value, Tensor):
        raise TypeError(f"{value} is not an instance of torch.Tensor")
    prefix, _, attr = name.rpartition(".")
    owner = module
    if prefix:
        for part in prefix.split("."):
            child = owner._modules.get(part) if hasattr(owner, "_modules") else None
            if child is None:
                raise AttributeError(f"{owner._get_name()} has no attribute `{part}`")
            owner = child
    for registry in (owner._parameters, owner._buffers):
        if attr in registry:
            old = registry[attr]
            if value is _MISSING:
                del registry[attr]
            else:
                registry[attr] = value
            return old
    old = owner.__dict__.get(attr, _MISSING)
    if value is _MISSING:
        owner.__dict__.pop(attr, None)
    else:
        object.__setattr__(owner, attr, value)
    return old
