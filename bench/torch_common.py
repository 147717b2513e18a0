"""Shared pieces of the PyTorch comparison benchmarks (torch_mlp.py, torch_conv.py).

PyTorch is only a yardstick for lunet, never a dependency of it. Everything
here mirrors what the lunet benchmarks do, so that the two sides time the
same work: the same data split, the same thread budget, the same loop shape.
"""

import argparse
import ctypes
import gzip
import json
import os
import statistics
import struct
import time

import numpy as np
import torch

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
# The book's split: the first 50,000 training images train, the last 10,000
# validate, and the 10,000 t10k images are the test set.
N_TRAIN = 50_000


def default_data_dir(data):
    if data == "fashion":
        return FASHION_DIR
    return os.environ.get("LUNET_MNIST_DIR") or os.path.expanduser("~/.cache/lunet/mnist")


def read_idx(path):
    """Read one gzipped IDX file into a uint8 numpy array of its stated shape."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims}, found {data.size} bytes")
    return data.reshape(dims)


def load_data(data, data_dir=None):
    """Return {"train", "validation", "test"} -> (images, labels).

    Images are float32 in [0, 1], flattened to (N, 784); labels are int64.
    Each script reshapes as it needs (views, so no copies).
    """
    data_dir = data_dir or default_data_dir(data)
    parts = {}
    for name, (img_file, lbl_file) in FILES.items():
        paths = [os.path.join(data_dir, f) for f in (img_file, lbl_file)]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise SystemExit(f"missing {data} data: {', '.join(missing)} "
                             "(set --data-dir or LUNET_MNIST_DIR)")
        images = read_idx(paths[0]).reshape(-1, 28 * 28).astype(np.float32) / 255.0
        labels = read_idx(paths[1]).astype(np.int64)
        parts[name] = (torch.from_numpy(images), torch.from_numpy(labels))
    x, y = parts["train"]
    return {
        "train": (x[:N_TRAIN].contiguous(), y[:N_TRAIN].contiguous()),
        "validation": (x[N_TRAIN:].contiguous(), y[N_TRAIN:].contiguous()),
        "test": parts["test"],
    }


def set_threads(n, blas_n=None):
    """Give PyTorch and OpenBLAS a thread budget (by default the same one).

    Debian's torch does its own ops on OpenMP but hands matrix products to
    the system OpenBLAS (pthread build), whose pool torch.set_num_threads
    does not touch and which otherwise starts one thread per core. lunet
    links the same OpenBLAS and sets its thread count explicitly, so do the
    same here or "1 thread" would silently be 2 inside every GEMM.
    """
    torch.set_num_threads(n)
    try:
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(blas_n or n)
    except (OSError, AttributeError):
        pass  # torch built against another BLAS; set_num_threads covers it.


def blas_core():
    """The OpenBLAS kernels this process runs (openblas_get_corename), or "?"."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "?"


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB (ru_maxrss is in KB on Linux)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def base_parser(description, eta, lmbda, epochs):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--mode", choices=("time", "train", "infer"), default="time",
                   help="time: training epochs; infer: predictions on the test set; train: accuracy")
    p.add_argument("--data", choices=("fashion", "mnist"), default="fashion")
    p.add_argument("--data-dir", default=None,
                   help="directory of the four IDX .gz files (default: by --data)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads for torch (OpenMP) and OpenBLAS alike")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="OpenBLAS threads if not --threads: with mini-batches "
                        "of 10, torch runs fastest at --threads 2 --blas-threads 1")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=10, help="mini-batch size")
    p.add_argument("--eta", type=float, default=eta, help="learning rate")
    p.add_argument("--lmbda", type=float, default=lmbda, help="L2 regularisation")
    p.add_argument("--epochs", type=int, default=epochs, help="epochs (train mode)")
    p.add_argument("--repeat", type=int, default=1,
                   help="timed epochs (time mode); the median is reported")
    p.add_argument("--warmup", type=int, default=200,
                   help="untimed mini-batches before timing (time mode)")
    p.add_argument("--images", type=int, default=None,
                   help="train on the first N training images only (the bench's quick mode)")
    p.add_argument("--loop", default="auto",
                   help="the training loop's form (see fastest_form); auto: the fastest, measured")
    p.add_argument("--no-shuffle", action="store_true",
                   help="keep the training order fixed (network3 does not shuffle)")
    return p


def setup(args):
    set_threads(args.threads, args.blas_threads)
    torch.manual_seed(args.seed)


def run_batches(step, tensors, batch, shuffle=True, limit=None):
    """One pass over the training tensors in mini-batches.

    Shuffling is a single permutation gather per epoch; each mini-batch is
    then a slice, i.e. a view with no copy. The last partial batch is used,
    as the book's network2 does. `limit` stops after that many batches
    (the warm-up).
    """
    if shuffle:
        perm = torch.randperm(tensors[0].shape[0])
        tensors = [t[perm] for t in tensors]
    n = tensors[0].shape[0]
    for k, i in enumerate(range(0, n, batch)):
        if limit is not None and k >= limit:
            break
        step(*(t[i:i + batch] for t in tensors))


def run_batches(step, tensors, batch, shuffle=True, limit=None, gather=lambda t, idx: t[idx]):
    """One pass in mini-batches, each gathered by `gather` (x[idx] by
    default) from a permutation.

    Torch 1.13 takes about a second (1 thread) to gather the whole 50,000 x
    784 training set in a new order, so a loop that gathers each
    mini-batch's 10 rows is the faster one a user would write.
    """
    n = tensors[0].shape[0]
    perm = torch.randperm(n) if shuffle else torch.arange(n)
    for k, i in enumerate(range(0, n, batch)):
        if limit is not None and k >= limit:
            break
        idx = perm[i:i + batch]
        step(*(gather(t, idx) for t in tensors))


def run_batches_indexed(step, tensors, batch, shuffle=True, limit=None):
    """run_batches with x[idx]."""
    run_batches(step, tensors, batch, shuffle, limit)


def run_batches_selected(step, tensors, batch, shuffle=True, limit=None):
    """run_batches with torch.index_select (the same rows; it skips advanced
    indexing's dispatch, a little faster at mini-batch 10 in torch 1.13)."""
    run_batches(step, tensors, batch, shuffle, limit, lambda t, idx: t.index_select(0, idx))


# How a mini-batch is gathered: the per-batch forms a PyTorch user writes.
# Two others were measured and dropped (1 thread, mini-batch 10, 784-30-10,
# this machine): slices of a permuted copy of the whole set (run_batches),
# whose copy costs torch 1.13 about a second per epoch (0.53 ms a batch
# against 0.17 ms for x[idx], 2,000 batches), and a DataLoader over a
# TensorDataset with shuffle=True (0.20 ms a batch: its collate stacks
# sample by sample).
GATHERS = {"index": run_batches_indexed, "index_select": run_batches_selected}


def fastest_form(steps, tensors, args, batches=300, rounds=2):
    """Picks the fastest (gather, step) pair: each form runs `batches`
    mini-batches `rounds` times, interleaved, and the best time of each is
    compared. `steps` maps a name to a step function; returns
    (name, runner, step). With --loop NAME (e.g. index+logits) that form
    is used without measuring."""
    forms = {f"{g}+{s}": (runner, step) for g, runner in GATHERS.items() for s, step in steps.items()}
    # a fifth of an epoch at most, so that a short run (QUICK=1) is not all probe
    batches = max(20, min(batches, tensors[0].shape[0] // args.batch // 5))
    if args.loop != "auto":
        if args.loop not in forms:
            raise SystemExit(f"--loop must be auto or one of {', '.join(sorted(forms))}")
        return (args.loop, *forms[args.loop])
    best = {name: float("inf") for name in forms}
    for _ in range(rounds):
        for name, (runner, step) in forms.items():
            t0 = time.perf_counter()
            runner(step, tensors, args.batch, True, limit=batches)
            best[name] = min(best[name], time.perf_counter() - t0)
    name = min(best, key=best.get)
    return (name, *forms[name])


def time_epochs(step, tensors, args, runner=run_batches):
    """Warm up, then time `args.repeat` full epochs of `runner`.

    Returns (wall seconds, CPU seconds) per epoch. The CPU time of the whole
    process (all threads) is there to spot a run that shared the machine:
    a 1-thread run whose CPU time falls well short of its wall time was
    waiting for a core.
    """
    shuffle = not args.no_shuffle
    runner(step, tensors, args.batch, shuffle, limit=args.warmup)
    walls, cpus = [], []
    for _ in range(args.repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        runner(step, tensors, args.batch, shuffle)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus


@torch.no_grad()
def accuracy(forward, x, y, chunk=100):
    """Fraction of inputs whose largest output is the label.

    Small chunks keep the conv net's activations in cache: 100 at a time
    is several times faster than 1,000 or all 10,000 at once.
    """
    correct = 0
    for i in range(0, x.shape[0], chunk):
        correct += (forward(x[i:i + chunk]).argmax(1) == y[i:i + chunk]).sum().item()
    return correct / x.shape[0]


def train(step, forward, tensors, data, args):
    """Train for args.epochs, printing validation accuracy after each epoch.

    Test accuracy is measured every epoch too (outside any timing), so the
    result can quote it both at the end and at the best validation epoch,
    as network3 reports it.
    """
    val_acc, test_acc = [], []
    for epoch in range(args.epochs):
        run_batches(step, tensors, args.batch, not args.no_shuffle)
        val_acc.append(accuracy(forward, *data["validation"]))
        test_acc.append(accuracy(forward, *data["test"]))
        print(f"Epoch {epoch}: validation accuracy {val_acc[-1]:.4f}", flush=True)
    best = max(range(len(val_acc)), key=val_acc.__getitem__)
    return {
        "test_accuracy": test_acc[-1],
        "best_validation_accuracy": val_acc[best],
        "best_validation_epoch": best,
        "test_accuracy_at_best_validation": test_acc[best],
        "validation_accuracy": val_acc,
    }


def time_inference(forward, x, y, args, chunks=(200, 1000, 10000)):
    """Times the test set's predictions: forward in chunks, argmax, count
    correct, under torch.inference_mode. Every chunk size runs once (after a
    warm-up pass in chunks of 200) and the fastest is kept (the conv net is faster in chunks that stay in cache,
    the MLP in one product); then args.repeat timed passes at that size.
    Returns (walls, cpus, chunk, correct)."""
    def once(chunk):
        correct = 0
        with torch.inference_mode():
            for i in range(0, x.shape[0], chunk):
                correct += (forward(x[i:i + chunk]).argmax(1) == y[i:i + chunk]).sum().item()
        return correct

    best = {}
    once(200)
    for chunk in chunks:
        t0 = time.perf_counter()
        once(chunk)
        best[chunk] = time.perf_counter() - t0
    chunk = min(best, key=best.get)
    walls, cpus, correct = [], [], 0
    for _ in range(args.repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        correct = once(chunk)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, chunk, correct


def train_subset(data, args):
    """The training tensors, cut to --images if given."""
    x, y = data["train"]
    if args.images:
        x, y = x[:args.images], y[:args.images]
    return x, y


def timing_result(what, times, args, **extra):
    walls, cpus = times
    return {
        "peak_rss_mb": peak_rss_mb(),
        "blas": blas_core(),
        "framework": "pytorch",
        "what": what,
        "seconds": statistics.median(walls),
        "batch": args.batch,
        **extra,
        "threads": args.threads,
        "blas_threads": args.blas_threads or args.threads,
        "all": walls,
        "cpu_seconds": cpus,
        "images": args.images or N_TRAIN,
        "data": args.data,
        "torch": torch.__version__,
    }


def emit(result):
    """The result is always the last line of stdout, one JSON object."""
    print(json.dumps(result), flush=True)
