"""``python -m chainrule train`` and ``evaluate``: fit a feed-forward network on real data.

``train`` fits ``y = W_L f(... f(W_1 x + b_1) ...) + b_L`` by mini-batch SGD (or Adam)
on a data set that ships with scikit-learn, holding out a test split, and writes
three files to ``--out``: the checkpoint (``model.safetensors``: weights, the
standardisation statistics, and in its metadata everything ``evaluate`` needs to
rebuild the model and the split), the learning curves (``learning_curves.png``) and
the per-epoch figures (``history.json``). ``evaluate --checkpoint PATH`` reloads the
checkpoint and prints the same figures. The same seed gives the same numbers.

On a terminal each epoch shows a progress bar; in a log or a pipe, one line per epoch.

``mpirun -n N python -m chainrule train ...`` trains data-parallel: every rank walks the
same shuffled global batches of ``--batch-size`` rows and takes a contiguous share of
each, ``DistributedDataParallel`` averages the gradients, and rank 0 alone prints, writes
the checkpoint and draws the curves; the numbers are those of the one-process run.
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

import chainrule
import chainrule.distributed as dist
from chainrule import nn, optim
from chainrule.nn.parallel import DistributedDataParallel
from chainrule.serialization import CheckpointError, load, load_metadata, save
from chainrule.utils.data import DataLoader, TensorDataset
from chainrule.utils.data import datasets as bundled

CHECKPOINT_FORMAT = "chainrule.train/1"
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
DEFAULT_LR = {"sgd": 0.01, "adam": 0.001}


class UsageError(Exception):
    """A bad option found after parsing; reported as one line, exit code 2."""


# --------------------------------------------------------------------------- options


def _number(text, kind):
    try:
        return kind(text)
    except ValueError:
        noun = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None


def _positive_float(text):
    value = _number(text, float)
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _fraction(text):
    value = _number(text, float)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _positive_int(text):
    value = _number(text, int)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _hidden_sizes(text):
    """``"64,64"`` -> ``[64, 64]``; ``""`` -> ``[]`` (no hidden layer)."""
    if text.strip() == "":
        return []
    sizes = []
    for part in text.split(","):
        try:
            size = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated layer sizes such as 64,64, got {text!r}"
            ) from None
        if size <= 0:
            raise argparse.ArgumentTypeError(
                f"hidden sizes must be positive, got {size} in {text!r}"
            )
        sizes.append(size)
    return sizes


def _one_line_errors(parser):
    """Make ``parser`` report a bad option as one line on stderr and exit 2 (no usage dump)."""

    def error(message):
        sys.stderr.write(f"{parser.prog}: error: {message}\n")
        sys.exit(2)

    parser.error = error
    return parser


def register(subparsers):
    """Add the ``train`` and ``evaluate`` commands to an argparse subparsers object."""
    train = subparsers.add_parser(
        "train",
        help="train a feed-forward network on a bundled data set",
        description="Train a feed-forward network on a data set that ships with scikit-learn, "
        "with a held-out test split, and save the checkpoint and learning curves.",
    )
    _one_line_errors(train)
    train.add_argument(
        "--dataset",
        choices=sorted(bundled.LOADERS),
        default="digits",
        help="data set (default: digits)",
    )
    train.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=[64, 64],
        metavar="SIZES",
        help="hidden layer sizes, comma-separated (default: 64,64)",
    )
    train.add_argument(
        "--activation",
        choices=sorted(ACTIVATIONS),
        default="relu",
        help="hidden nonlinearity f (default: relu)",
    )
    train.add_argument(
        "--optimizer", choices=sorted(DEFAULT_LR), default="sgd", help="optimiser (default: sgd)"
    )
    train.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help="learning rate (default: 0.01 for sgd, 0.001 for adam)",
    )
    train.add_argument(
        "--momentum", type=_fraction, default=0.9, help="SGD momentum in [0, 1) (default: 0.9)"
    )
    train.add_argument(
        "--batch-size", type=_positive_int, default=32, help="mini-batch size (default: 32)"
    )
    train.add_argument(
        "--epochs",
        type=_positive_int,
        default=30,
        help="passes over the training data (default: 30)",
    )
    train.add_argument(
        "--test-fraction",
        type=_fraction,
        default=0.2,
        help="share of the data held out for testing (default: 0.2)",
    )
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument(
        "--out", default=None, metavar="DIR", help="output folder (default: runs/DATASET)"
    )
    train.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    train.set_defaults(run=run_train)

    evaluate = subparsers.add_parser(
        "evaluate",
        help="reload a checkpoint written by train and report its figures",
        description="Reload a checkpoint written by `train`, rebuild the same split, and "
        "print the train and test figures.",
    )
    _one_line_errors(evaluate)
    evaluate.add_argument(
        "--checkpoint", required=True, metavar="PATH", help="model.safetensors written by train"
    )
    evaluate.set_defaults(run=run_evaluate)


# --------------------------------------------------------------------------- data and model


def _split_indices(n, test_fraction, seed):
    """The same shuffled train/test split for the same ``n``, fraction and seed."""
    generator = chainrule.Generator().manual_seed(seed)
    order = np.argsort(
        chainrule.rand((n,), generator=generator, dtype=chainrule.float64).numpy(), kind="stable"
    )
    n_test = round(n * test_fraction)
    return order[n_test:], order[:n_test]


def _prepare(data, test_fraction, seed, stats=None):
    """Split, standardise with the training statistics, and convert to tensors.

    Returns ``(train_dataset, test_dataset, stats)``; ``stats`` holds the means and
    standard deviations (given ones are reused, as ``evaluate`` does).
    """
    train_idx, test_idx = _split_indices(len(data.targets), test_fraction, seed)
    x, y = data.features, data.targets
    if stats is None:
        x_std = x[train_idx].std(axis=0)
        stats = {"x_mean": x[train_idx].mean(axis=0), "x_std": np.where(x_std > 0, x_std, 1.0)}
        if data.task == "regression":
            stats["y_mean"] = np.array(y[train_idx].mean())
            stats["y_std"] = np.array(y[train_idx].std())
    x = (x - stats["x_mean"]) / stats["x_std"]
    if data.task == "regression":
        y = (y - stats["y_mean"]) / stats["y_std"]
    dtype = chainrule.get_default_dtype()

    def tensors(idx):
        features = chainrule.tensor(x[idx], dtype=dtype)
        if data.task == "multiclass":
            targets = chainrule.tensor(y[idx], dtype=chainrule.int64)
        else:  # binary (BCE) and regression (MSE) compare with one float output column
            targets = chainrule.tensor(y[idx].reshape(-1, 1), dtype=dtype)
        return TensorDataset(features, targets)

    return tensors(train_idx), tensors(test_idx), stats


def build_model(n_features, hidden, n_outputs, activation, task):
    """``Linear -> f -> ... -> Linear``, with a final ``Sigmoid`` for binary targets."""
    layers, width = [], n_features
    for size in hidden:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    layers.append(nn.Linear(width, n_outputs))
    if task == "binary":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def _loss_fn(task, reduction="mean"):
    return {
        "multiclass": nn.CrossEntropyLoss(reduction=reduction),
        "binary": nn.BCELoss(reduction=reduction),
        "regression": nn.MSELoss(reduction=reduction),
    }[task]


def _n_outputs(data):
    return data.n_classes if data.task == "multiclass" else 1


def _score(task, output, target):
    """Accuracy for classification, R-squared for regression (NumPy arrays in)."""
    if task == "multiclass":
        return float((output.argmax(axis=1) == target).mean())
    if task == "binary":
        return float(((output >= 0.5) == (target >= 0.5)).mean())
    ss_res = float(((target - output) ** 2).sum())
    ss_tot = float(((target - target.mean()) ** 2).sum())
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


def _measure(model, loss_fn, dataset, task):
    """(loss, score) of ``model`` on a whole dataset, in evaluation mode."""
    features, targets = dataset.tensors
    model.eval()
    with chainrule.no_grad():
        output = model(features)
        loss = loss_fn(output, targets).item()
    model.train()
    return loss, _score(task, output.numpy(), targets.numpy())


def _score_name(task):
    return "r2" if task == "regression" else "accuracy"


# --------------------------------------------------------------------------- train


def _check_out_dir(path):
    """Create ``path`` if needed and prove it writable, or raise UsageError."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(
            f"--out {path!r} is not a writable folder ({exc.strerror or exc})"
        ) from None


class _Processes:
    """This process's place among the training processes: one, or the N that
    ``mpirun -n N`` started (then the default process group is initialised here)."""

    def __init__(self):
        self.size = dist.launched_world_size()
        if self.size > 1:
            dist.init_process_group(backend="mpi")
            self.size = dist.get_world_size()
        self.rank = dist.get_rank() if self.size > 1 else 0

    @property
    def parallel(self):
        return self.size > 1

    def share(self, n):
        """This rank's slice of a global batch of ``n`` rows: contiguous, sizes differ by
        at most one, so that the shares in rank order are the one-process batch."""
        return slice(n * self.rank // self.size, n * (self.rank + 1) // self.size)

    def agree(self, message):
        """Rank 0's ``message`` (an error or None) on every rank."""
        if not self.parallel:
            return message
        box = [message]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def total(self, *values):
        """The sums of ``values`` over all ranks."""
        if not self.parallel:
            return values
        t = chainrule.tensor(values, dtype=chainrule.float64)
        dist.all_reduce(t)
        return tuple(t.tolist())


def run_train(args):
    procs = _Processes()
    out = args.out if args.out is not None else os.path.join("runs", args.dataset)
    error = None
    if procs.rank == 0:
        try:
            _check_out_dir(out)
        except UsageError as exc:
            error = str(exc)
    error = procs.agree(error)
    if error is not None:
        if procs.rank == 0:
            sys.stderr.write(f"chainrule train: error: {error}\n")
        return 2
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    started = time.perf_counter()

    data = bundled.load(args.dataset)
    train_set, test_set, stats = _prepare(data, args.test_fraction, args.seed)
    if len(test_set) == 0:
        if procs.rank == 0:
            sys.stderr.write("chainrule train: error: --test-fraction leaves no test samples\n")
        return 2
    chainrule.manual_seed(args.seed)
    model = build_model(data.n_features, args.hidden, _n_outputs(data), args.activation, data.task)
    # On N processes each rank takes a contiguous share of every global batch; its summed
    # loss times N / n makes DDP's average of the ranks' gradients the gradient of the
    # one-process mean loss over the n rows, whatever the shares' sizes.
    net = DistributedDataParallel(model) if procs.parallel else model
    loss_fn = _loss_fn(data.task, "sum" if procs.parallel else "mean")
    if args.optimizer == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=args.momentum)
    else:
        optimizer = optim.Adam(model.parameters(), lr=lr)
    # the same shuffled order on every rank: the global batches of a one-process run
    loader = DataLoader(
        train_set,
        batch_size=args.batch_size,
        shuffle=True,
        generator=chainrule.Generator().manual_seed(args.seed),
    )
    progress = "none" if args.no_progress or procs.rank else _progress_mode(procs)

    if procs.rank == 0:
        print(_describe(data, args, lr, len(train_set), len(test_set), procs.size), flush=True)
    history = {"train_loss": [], "test_loss": [], "train_score": [], "test_score": []}
    eval_loss_fn = _loss_fn(data.task)
    for epoch in range(1, args.epochs + 1):
        bar = _progress_bar(len(loader), epoch, args) if progress == "bar" else None
        running = _train_epoch(net, loss_fn, optimizer, loader, data.task, procs, bar)
        if procs.rank:
            continue  # rank 0 alone measures, reports and writes
        for split, dataset in (("train", train_set), ("test", test_set)):
            loss, score = _measure(model, eval_loss_fn, dataset, data.task)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_score"].append(score)
        test = {"test_loss": f"{loss:.4f}", f"test_{_score_name(data.task)}": f"{score:.4f}"}
        if bar is not None:  # the bar of each finished epoch stays on screen with its figures
            bar.set_postfix(running, **test)
            bar.close()
        elif progress == "lines":
            figures = "  ".join(f"{k} {v}" for k, v in {**running, **test}.items())
            print(f"epoch {epoch:>3}/{args.epochs}  {figures}", flush=True)
    if procs.rank:
        dist.destroy_process_group()
        return 0
    seconds = time.perf_counter() - started

    results = {
        split: (history[f"{split}_loss"][-1], history[f"{split}_score"][-1])
        for split in ("train", "test")
    }
    print()
    print(_table(results, data.task))
    checkpoint = os.path.join(out, "model.safetensors")
    curves = os.path.join(out, "learning_curves.png")
    _save_checkpoint(checkpoint, model, stats, data, args, lr, results)
    _plot_curves(curves, history, data.task, args.dataset)
    with open(os.path.join(out, "history.json"), "w") as fh:
        json.dump(dict(history, seconds=seconds, processes=procs.size), fh, indent=1)
    print(f"\ntrained in {seconds:.1f} s")
    print(f"checkpoint: {checkpoint}")
    print(f"learning curves: {curves}")
    if procs.parallel:
        dist.destroy_process_group()
    return 0


def _progress_mode(procs):
    """A redrawn bar on a terminal; one plain line per epoch in a log or a pipe, and under
    mpirun, which hands rank 0 a pseudo-terminal whatever its own output is."""
    return "bar" if sys.stdout.isatty() and not procs.parallel else "lines"


def _progress_bar(total, epoch, args):
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"epoch {epoch:>3}/{args.epochs}",
        unit="batch",
        file=sys.stderr,
        dynamic_ncols=True,
    )


def _train_epoch(net, loss_fn, optimizer, loader, task, procs, bar):
    """One pass over ``loader``; returns the epoch's running figures (over all ranks)."""
    seen, total_loss, total_score = 0, 0.0, 0.0
    for features, targets in loader:
        n = len(targets)
        if procs.parallel:
            rows = procs.share(n)
            features, targets = features[rows], targets[rows]
        optimizer.zero_grad()
        output = net(features)
        loss = loss_fn(output, targets)
        (loss * (procs.size / n) if procs.parallel else loss).backward()
        optimizer.step()
        m = len(targets)
        seen += m
        total_loss += loss.item() * (1 if procs.parallel else m)
        if m:
            total_score += _score(task, output.detach().numpy(), targets.numpy()) * m
        if bar is not None:
            bar.set_postfix(_running(task, total_loss, total_score, seen), refresh=False)
            bar.update()
    seen, total_loss, total_score = procs.total(seen, total_loss, total_score)
    return _running(task, total_loss, total_score, seen)


def _running(task, total_loss, total_score, seen):
    return {"loss": f"{total_loss / seen:.4f}", _score_name(task): f"{total_score / seen:.4f}"}


def _describe(data, args, lr, n_train, n_test, processes=1):
    classes = f"{data.n_classes} classes" if data.task != "regression" else "regression"
    widths = [data.n_features] + args.hidden + [_n_outputs(data)]
    opt = (
        f"sgd lr={lr:g} momentum={args.momentum:g}"
        if args.optimizer == "sgd"
        else f"adam lr={lr:g}"
    )
    return (
        f"data:  {data.name}, {data.n_features} features, {classes}, "
        f"{n_train} train / {n_test} test samples (standardised)\n"
        f"model: {'-'.join(map(str, widths))} {args.activation}; {opt}; "
        f"{args.epochs} epochs of batch {args.batch_size}; seed {args.seed}"
        + (
            f"\nprocesses: {processes}, data-parallel (each takes 1/{processes} of a batch)"
            if processes > 1
            else ""
        )
    )


def _table(results, task):
    name = _score_name(task)
    lines = [f"{'split':<8}{'loss':>10}{name:>12}"]
    for split, (loss, score) in results.items():
        lines.append(f"{split:<8}{loss:>10.4f}{score:>12.4f}")
    return "\n".join(lines)


def _save_checkpoint(path, model, stats, data, args, lr, results):
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    dtype = chainrule.get_default_dtype()
    for key, value in stats.items():
        tensors[f"preprocess.{key}"] = chainrule.tensor(value, dtype=dtype)
    metadata = {
        "format": CHECKPOINT_FORMAT,
        "dataset": data.name,
        "task": data.task,
        "hidden": ",".join(map(str, args.hidden)),
        "activation": args.activation,
        "test_fraction": repr(args.test_fraction),
        "seed": str(args.seed),
        "optimizer": args.optimizer,
        "lr": repr(lr),
        "momentum": repr(args.momentum),
        "batch_size": str(args.batch_size),
        "epochs": str(args.epochs),
        "results": json.dumps(results),
    }
    save(tensors, path, metadata=metadata)


def _plot_curves(path, history, task, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4))
    for split in ("train", "test"):
        ax_loss.plot(epochs, history[f"{split}_loss"], label=split)
        ax_score.plot(epochs, history[f"{split}_score"], label=split)
    ax_loss.set(xlabel="epoch", ylabel="loss", title=f"{title}: loss")
    ax_score.set(xlabel="epoch", ylabel=_score_name(task), title=f"{title}: {_score_name(task)}")
    for ax in (ax_loss, ax_score):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------- evaluate


def run_evaluate(args):
    try:
        metadata = load_metadata(args.checkpoint)
        tensors = load(args.checkpoint)
    except (OSError, CheckpointError) as exc:
        sys.stderr.write(f"chainrule evaluate: error: {exc}\n")
        return 2
    if metadata.get("format") != CHECKPOINT_FORMAT:
        sys.stderr.write(
            f"chainrule evaluate: error: {args.checkpoint!r} was not written by "
            "`chainrule train` (no training metadata)\n"
        )
        return 2
    data = bundled.load(metadata["dataset"])
    stats = {
        key[len("preprocess.") :]: value.numpy().astype(np.float64)
        for key, value in tensors.items()
        if key.startswith("preprocess.")
    }
    train_set, test_set, _ = _prepare(
        data, float(metadata["test_fraction"]), int(metadata["seed"]), stats
    )
    hidden = _hidden_sizes(metadata["hidden"])
    model = build_model(
        data.n_features, hidden, _n_outputs(data), metadata["activation"], data.task
    )
    model.load_state_dict(
        {key[len("model.") :]: value for key, value in tensors.items() if key.startswith("model.")}
    )
    loss_fn = _loss_fn(data.task)
    results = {
        split: _measure(model, loss_fn, dataset, data.task)
        for split, dataset in (("train", train_set), ("test", test_set))
    }
    print(
        f"checkpoint: {args.checkpoint} ({data.name}, "
        f"{len(train_set)} train / {len(test_set)} test samples)"
    )
    print()
    print(_table(results, data.task))
    return 0


def main(argv=None):
    """Stand-alone entry (``python -m chainrule.cli.train train ...``)."""
    parser = _one_line_errors(argparse.ArgumentParser(prog="chainrule"))
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
