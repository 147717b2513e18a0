"""PyTorch version of Nielsen's network2: the MLP that bench/mlp.lua times.

Sigmoid on every layer, the cross-entropy cost on the sigmoid outputs
against one-hot targets, weights N(0, 1/n_in), biases N(0, 1), plain
mini-batch SGD with the book's L2 weight decay (weights only).

  /usr/bin/python3 bench/torch_mlp.py --mode time --repeat 3
  /usr/bin/python3 bench/torch_mlp.py --mode train --epochs 30 --eta 0.1 --lmbda 5.0
  /usr/bin/python3 bench/torch_mlp.py --mode time --optimizer adam --repeat 3

With --optimizer adam (time mode only): torch.optim.Adam with its defaults
(lr 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay; --eta and --lmbda
are not used), in the fastest loop measured here: each mini-batch gathered
by x[idx] from a permutation (run_batches_indexed), the logits form of the
loss, zero_grad(set_to_none=True), Adam's default single-tensor step.
"""

import torch
import torch.nn.functional as F

import torch_common as tc


class Network2(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
        # network2's default_weight_initializer.
        with torch.no_grad():
            for layer in self.layers:
                layer.weight.normal_(0.0, layer.in_features ** -0.5)
                layer.bias.normal_(0.0, 1.0)

    def forward(self, x):
        """Pre-activations z of the output layer; the output is sigmoid(z)."""
        for layer in self.layers[:-1]:
            x = torch.sigmoid(layer(x))
        return self.layers[-1](x)


def time_adam(net, x, y1h, args, sizes):
    """Times Adam epochs. Measured on this machine (1 thread, 5,000
    mini-batches, medians of 3): binary_cross_entropy_with_logits 0.78
    ms/batch against 0.83 for binary_cross_entropy on sigmoid outputs;
    foreach=True 0.81 against 0.78 for the default loop; gathering the whole
    set per epoch and slicing costs about 1 s more per epoch than indexing
    each mini-batch. The fastest of each is kept."""
    opt = torch.optim.Adam(net.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)

    def step(xb, yb):
        loss = F.binary_cross_entropy_with_logits(net(xb), yb, reduction="sum") / xb.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    times = tc.time_epochs(step, (x, y1h), args, runner=tc.run_batches_indexed)
    tc.emit(tc.timing_result("mlp-epoch", times, args, sizes=sizes, optimizer="adam"))


def main():
    p = tc.base_parser(__doc__.splitlines()[0], eta=0.1, lmbda=5.0, epochs=30)
    p.add_argument("--sizes", default="784,30,10", help="layer sizes")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                   help="sgd: the book's SGD with L2; adam: torch.optim.Adam's defaults")
    args = p.parse_args()
    if args.optimizer == "adam" and args.mode != "time":
        p.error("--optimizer adam is a timing workload: use --mode time")
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes[0] != 784 or sizes[-1] != 10:
        p.error("--sizes must start at 784 and end at 10")
    tc.setup(args)

    data = tc.load_data(args.data, args.data_dir)
    x, y = tc.train_subset(data, args)
    n = x.shape[0]
    # One-hot targets made once, then shuffled alongside the images.
    y1h = F.one_hot(y, 10).float()

    net = Network2(sizes)
    # The book's update is w <- (1 - eta*lmbda/n) w - eta*grad. SGD's
    # weight_decay adds wd*w to the gradient before scaling by eta, so
    # wd = lmbda/n on the weights (and 0 on the biases) is the same update.
    weights = [l.weight for l in net.layers]
    biases = [l.bias for l in net.layers]
    if args.optimizer == "adam":
        time_adam(net, x, y1h, args, sizes)
        return
    groups = [
        {"params": weights, "weight_decay": args.lmbda / n},
        {"params": biases, "weight_decay": 0.0},
    ]
    opt = torch.optim.SGD(groups, lr=args.eta)
    # SGD's multi-tensor step (foreach=True) measured faster here at
    # mini-batch 10 (234 against 265 us a batch of CPU time, 1 thread, load
    # about 10): one of the forms tried below. Plain SGD has no state, so
    # two optimisers over the same parameters take the same steps.
    opt_foreach = torch.optim.SGD([dict(g) for g in groups], lr=args.eta, foreach=True)

    def step(xb, yb):
        # network2's CrossEntropyCost summed over outputs, averaged over the
        # mini-batch (its actual size, for the last partial batch). Working
        # on z instead of sigmoid(z) is the stable form; its gradient is
        # still a - y, as in the book.
        loss = F.binary_cross_entropy_with_logits(net(xb), yb, reduction="sum") / xb.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def step_foreach(xb, yb):
        loss = F.binary_cross_entropy_with_logits(net(xb), yb, reduction="sum") / xb.shape[0]
        opt_foreach.zero_grad(set_to_none=True)
        loss.backward()
        opt_foreach.step()

    bce = torch.nn.BCELoss(reduction="sum")

    def step_bce(xb, yb):
        # the same cost as a user often writes it: BCELoss on sigmoid outputs
        loss = bce(torch.sigmoid(net(xb)), yb) / xb.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    if args.mode == "time":
        # The fair loop: of the usual forms (x[idx] or index_select per
        # mini-batch from a permutation; the logits loss or BCELoss on
        # sigmoid outputs; the logits loss with SGD(foreach=True);
        # zero_grad(set_to_none=True) in all), the one measured fastest on
        # this run (tc.fastest_form; "loop" in the JSON).
        steps = {"logits": step, "bce": step_bce, "logits-foreach": step_foreach}
        form, runner, chosen = tc.fastest_form(steps, (x, y1h), args)
        times = tc.time_epochs(chosen, (x, y1h), args, runner=runner)
        tc.emit(tc.timing_result("mlp-epoch", times, args, sizes=sizes, loop=form))
    elif args.mode == "infer":
        xt, yt = data["test"]
        walls, cpus, chunk, correct = tc.time_inference(lambda xb: net(xb), xt, yt, args)
        tc.emit(tc.timing_result("mlp-infer", (walls, cpus), args, sizes=sizes, chunk=chunk, correct=correct,
                                 test_images=xt.shape[0]))
    else:
        result = tc.train(step, net, (x, y1h), data, args)
        tc.emit({"framework": "pytorch", "what": "mlp-train", **result,
                 "epochs": args.epochs, "sizes": sizes, "batch": args.batch,
                 "eta": args.eta, "lmbda": args.lmbda, "threads": args.threads,
                 "blas_threads": args.blas_threads or args.threads,
                 "seed": args.seed, "data": args.data, "torch": torch.__version__})


if __name__ == "__main__":
    main()
