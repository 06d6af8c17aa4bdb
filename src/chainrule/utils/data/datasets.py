"""Small real data sets that ship with scikit-learn, as tensors.

No download: scikit-learn bundles these files. Each loader returns a
:class:`TabularData` with the features as float and the targets as int64 class
indices (classification) or float values (regression).

====================  =======  ========  =======  ============================
name                  samples  features  classes  task
====================  =======  ========  =======  ============================
``digits``            1797     64        10       8x8 handwritten digits
``breast_cancer``     569      30        2        malignant or benign tumour
``diabetes``          442      10        --       disease progression (regression)
====================  =======  ========  =======  ============================
"""

from dataclasses import dataclass

import numpy as np

import chainrule
from chainrule.utils.data.dataset import TensorDataset


@dataclass(frozen=True)
class TabularData:
    """A table of features with one target per row.

    Attributes:
        name: the data set's name (``"digits"``...).
        task: ``"multiclass"``, ``"binary"`` or ``"regression"``.
        features: float NumPy array of shape ``(n_samples, n_features)``.
        targets: int64 class indices or float values, shape ``(n_samples,)``.
        n_classes: number of classes (1 for regression).
        description: one line about the data.
    """

    name: str
    task: str
    features: np.ndarray
    targets: np.ndarray
    n_classes: int
    description: str

    @property
    def n_features(self):
        return self.features.shape[1]

    def to_dataset(self, dtype=None):
        """A :class:`TensorDataset` of (features, targets); features in ``dtype``."""
        dtype = dtype or chainrule.get_default_dtype()
        x = chainrule.tensor(self.features, dtype=dtype)
        target_dtype = chainrule.int64 if self.task != "regression" else dtype
        y = chainrule.tensor(self.targets, dtype=target_dtype)
        return TensorDataset(x, y)


def _sklearn_datasets():
    try:
        import sklearn.datasets
    except ImportError as exc:
        raise ImportError(
            "the bundled data sets need scikit-learn: pip install 'chainrule[nn]' "
            "(or pip install scikit-learn)"
        ) from exc
    return sklearn.datasets


def load_digits():
    """8x8 images of handwritten digits 0-9 (pixel values 0-16), 10 classes."""
    raw = _sklearn_datasets().load_digits()
    return TabularData(
        "digits",
        "multiclass",
        raw.data.astype(np.float64),
        raw.target.astype(np.int64),
        10,
        "8x8 handwritten digits, 10 classes",
    )


def load_breast_cancer():
    """Breast-cancer diagnosis from 30 cell-nucleus measurements (0 malignant, 1 benign)."""
    raw = _sklearn_datasets().load_breast_cancer()
    return TabularData(
        "breast_cancer",
        "binary",
        raw.data.astype(np.float64),
        raw.target.astype(np.int64),
        2,
        "breast tumours, malignant or benign",
    )


def load_diabetes():
    """Disease progression after one year from 10 baseline measurements (regression)."""
    raw = _sklearn_datasets().load_diabetes()
    return TabularData(
        "diabetes",
        "regression",
        raw.data.astype(np.float64),
        raw.target.astype(np.float64),
        1,
        "diabetes progression, regression",
    )


LOADERS = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "diabetes": load_diabetes,
}


def load(name):
    """Load a bundled data set by name: one of ``LOADERS``' keys."""
    if name not in LOADERS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(LOADERS)}")
    return LOADERS[name]()
