"""PyTorch version of the book's chapter-6 network (network3.py): what bench/conv.lua times.

  conv 20@5x5 -> max-pool 2x2 -> act -> conv 40@5x5 -> max-pool 2x2 -> act
  -> fully connected 640 -> 100, act -> softmax 10, log-likelihood cost,
  with network3's initialisation and its L2 term. act is ReLU by default.

  /usr/bin/python3 bench/torch_conv.py --mode time --repeat 1
  /usr/bin/python3 bench/torch_conv.py --mode train --epochs 60
"""

import torch
import torch.nn.functional as F

import torch_common as tc

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid}


class Network3(torch.nn.Module):
    def __init__(self, act):
        super().__init__()
        self.act = act
        self.conv1 = torch.nn.Conv2d(1, 20, 5)
        self.conv2 = torch.nn.Conv2d(20, 40, 5)
        self.fc = torch.nn.Linear(40 * 4 * 4, 100)
        self.softmax = torch.nn.Linear(100, 10)
        with torch.no_grad():
            # ConvPoolLayer: std sqrt(1/n_out) with n_out = maps*5*5/(2*2),
            # i.e. the fan-out after pooling; biases N(0, 1).
            for conv in (self.conv1, self.conv2):
                n_out = conv.out_channels * 5 * 5 / (2 * 2)
                conv.weight.normal_(0.0, n_out ** -0.5)
                conv.bias.normal_(0.0, 1.0)
            # FullyConnectedLayer: std sqrt(1/n_out) with n_out = 100.
            self.fc.weight.normal_(0.0, self.fc.out_features ** -0.5)
            self.fc.bias.normal_(0.0, 1.0)
            # SoftmaxLayer starts from zeros.
            self.softmax.weight.zero_()
            self.softmax.bias.zero_()

    def weights(self):
        return [m.weight for m in (self.conv1, self.conv2, self.fc, self.softmax)]

    def biases(self):
        return [m.bias for m in (self.conv1, self.conv2, self.fc, self.softmax)]

    def forward(self, x):
        """Logits; softmax is folded into the cost and argmax does not need it.

        network3 adds the bias and applies the activation after pooling. For
        ReLU the order does not matter; for sigmoid it does, so keep it.
        """
        x = x.view(-1, 1, 28, 28)
        x = self.act(F.max_pool2d(self.conv1(x), 2))
        x = self.act(F.max_pool2d(self.conv2(x), 2))
        x = self.act(self.fc(x.flatten(1)))
        return self.softmax(x)


def main():
    p = tc.base_parser(__doc__.splitlines()[0], eta=0.03, lmbda=0.1, epochs=60)
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu",
                   help="activation of the conv and fully connected layers")
    args = p.parse_args()
    tc.setup(args)

    data = tc.load_data(args.data, args.data_dir)
    x, y = tc.train_subset(data, args)
    net = Network3(ACTIVATIONS[args.activation])

    # network3's cost is mean log-likelihood + 0.5*lmbda*sum(w^2)/B with B =
    # num_training_batches (weights of all four layers, no biases). Its
    # gradient adds (lmbda/B)*w, which is exactly SGD's weight_decay = lmbda/B
    # on the weights: the same update without the extra autograd ops.
    num_training_batches = x.shape[0] // args.batch
    opt = torch.optim.SGD([
        {"params": net.weights(), "weight_decay": args.lmbda / num_training_batches},
        {"params": net.biases(), "weight_decay": 0.0},
    ], lr=args.eta)

    def step(xb, yb):
        loss = F.cross_entropy(net(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def step_nll(xb, yb):
        # log_softmax + nll_loss, as network3's softmax layer and cost read
        loss = F.nll_loss(F.log_softmax(net(xb), 1), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    if args.mode == "time":
        # The fair loop: of x[idx] or index_select per mini-batch and the
        # fused cross_entropy or log_softmax + nll_loss (zero_grad with
        # set_to_none=True in all), the one measured fastest on this run.
        form, runner, chosen = tc.fastest_form({"cross_entropy": step, "nll": step_nll}, (x, y), args,
                                               batches=100, rounds=1)
        times = tc.time_epochs(chosen, (x, y), args, runner=runner)
        tc.emit(tc.timing_result("conv-epoch", times, args, activation=args.activation, loop=form))
    elif args.mode == "infer":
        xt, yt = data["test"]
        walls, cpus, chunk, correct = tc.time_inference(net, xt, yt, args)
        tc.emit(tc.timing_result("conv-infer", (walls, cpus), args, activation=args.activation, chunk=chunk,
                                 correct=correct, test_images=xt.shape[0]))
    else:
        result = tc.train(step, net, (x, y), data, args)
        tc.emit({"framework": "pytorch", "what": "conv-train", **result,
                 "epochs": args.epochs, "activation": args.activation,
                 "batch": args.batch, "eta": args.eta, "lmbda": args.lmbda,
                 "threads": args.threads,
                 "blas_threads": args.blas_threads or args.threads,
                 "seed": args.seed, "data": args.data, "torch": torch.__version__})


if __name__ == "__main__":
    main()
