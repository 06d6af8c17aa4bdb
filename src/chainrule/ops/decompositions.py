"""Matrix functions and decompositions with their gradients (det, inv, solve, cholesky,
qr, svd, eigh, ...): the rows behind ``chainrule.linalg``."""

__all__ = []
