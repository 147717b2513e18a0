#!/bin/sh
# make bench-accuracy: the same network trained the same way by lunet and by
# PyTorch on Fashion-MNIST; prints both test accuracies.
#   784-30-10 sigmoid, cross-entropy, eta 0.1, lambda 5.0, mini-batch 10, 30 epochs
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
EPOCHS=${EPOCHS:-30}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
lua5.4 bench/mlp.lua --mode train --epochs "$EPOCHS" | tee "$out/lunet"
/usr/bin/python3 bench/torch_mlp.py --mode train --epochs "$EPOCHS" --eta 0.1 --lmbda 5.0 | tee "$out/torch"
lua5.4 bench/report.lua --accuracy "$out/lunet" "$out/torch"
