#!/bin/sh
# make bench: lunet and PyTorch, side by side in one run, on Fashion-MNIST.
# THREADS=n (default 1) sets the thread count on both sides; REPEAT=n the
# number of timed epochs (medians are compared).
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "timing the MLP epoch: lunet, then PyTorch ($REPEAT epochs each, $THREADS thread(s))"
lua5.4 bench/mlp.lua --mode time --repeat "$REPEAT" --threads "$THREADS" >"$out/mlp-lunet"
/usr/bin/python3 bench/torch_mlp.py --mode time --repeat "$REPEAT" --threads "$THREADS" >"$out/mlp-torch"
set -- "$out/mlp-lunet" "$out/mlp-torch"
if [ -f bench/conv.lua ]; then
  echo "timing the convolutional epoch: lunet, then PyTorch"
  lua5.4 bench/conv.lua --mode time --repeat "${CONV_REPEAT:-1}" --threads "$THREADS" >"$out/conv-lunet"
  /usr/bin/python3 bench/torch_conv.py --mode time --repeat "${CONV_REPEAT:-1}" --threads "$THREADS" >"$out/conv-torch"
  set -- "$@" "$out/conv-lunet" "$out/conv-torch"
fi
echo
lua5.4 bench/report.lua "$@"
