"""PyTorch's side of the full-batch L-BFGS benchmark (bench/lbfgs.lua is lunet's).

The problem lunet wrote to DIR: x.npy (n, 784) images, y.npy (n) labels,
w1/b1/w2/b2.npy the 784-30-10 network's initial parameters (weights
(n_out, n_in), torch.nn.Linear's layout). Sigmoid layers, the cross-entropy
cost summed over the ten outputs and averaged over the n images (network2's
CrossEntropyCost, in the stable logits form), float64, no regularisation.
torch.optim.LBFGS with history 10 and the strong Wolfe line search runs
--iter iterations in one step(closure), as a user would write it; the
tolerances are set so low that only the iteration budget stops it (max_eval
too, which otherwise caps evaluations at 1.25 x max_iter).

  /usr/bin/python3 bench/torch_lbfgs.py --dir DIR [--iter 100] [--threads 1]

Prints one JSON line: the final cost, iterations and evaluations, the CPU
seconds (time.process_time) and wall seconds of the run, and the cost and
CPU seconds at every evaluation of the closure.
"""

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import torch_common as tc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="the problem bench/lbfgs.lua wrote")
    p.add_argument("--iter", type=int, default=100, help="L-BFGS iterations")
    p.add_argument("--m", type=int, default=10, help="L-BFGS history")
    p.add_argument("--threads", type=int, default=1, help="torch and OpenBLAS threads")
    args = p.parse_args()
    tc.set_threads(args.threads)

    def load(name):
        return torch.from_numpy(np.load(os.path.join(args.dir, name)))

    x = load("x.npy")
    y = F.one_hot(load("y.npy").long(), 10).double()
    n = x.shape[0]
    net = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 10)).double()
    with torch.no_grad():
        for layer, l in ((net[0], 1), (net[2], 2)):
            layer.weight.copy_(load(f"w{l}.npy"))
            layer.bias.copy_(load(f"b{l}.npy"))

    opt = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=args.iter, max_eval=100 * args.iter,
                            tolerance_grad=1e-12, tolerance_change=1e-15, history_size=args.m,
                            line_search_fn="strong_wolfe")
    costs, seconds = [], []
    t0 = time.process_time()

    def closure():
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(net(x), y, reduction="sum") / n
        loss.backward()
        costs.append(loss.item())
        seconds.append(time.process_time() - t0)
        return loss

    w0 = time.perf_counter()
    opt.step(closure)
    wall = time.perf_counter() - w0
    cpu = time.process_time() - t0
    with torch.no_grad():
        final = (F.binary_cross_entropy_with_logits(net(x), y, reduction="sum") / n).item()
    state = opt.state[opt._params[0]]
    print(json.dumps({"framework": "pytorch", "what": "lbfgs", "images": n, "threads": args.threads,
                      "m": args.m, "dtype": "float64", "iterations": state["n_iter"],
                      "evaluations": state["func_evals"], "final_cost": final, "cpu_seconds": cpu,
                      "wall_seconds": wall, "cost": costs, "seconds": seconds,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
