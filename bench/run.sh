#!/bin/sh
# make bench: lunet and PyTorch, side by side in one run, on Fashion-MNIST,
# each pair with the same thread budget.
#   - the 784-30-10 MLP epoch on 1 thread (neither side gains from more at
#     mini-batch 10), with the book's SGD and with Adam (both with Adam's
#     defaults; PyTorch's torch.optim.Adam);
#   - the chapter-6 convolutional epoch on 1 thread and on every core
#     (CORES, default: all online CPUs). With several threads PyTorch gets
#     its fastest setting at that budget: OpenMP threads for its own ops and
#     one OpenBLAS thread (more OpenBLAS threads make it several times slower);
#   - full-batch L-BFGS against torch.optim.LBFGS on 1 thread (bench/lbfgs.sh).
# REPEAT=n and CONV_REPEAT=n set the number of timed epochs (medians are compared).
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
REPEAT=${REPEAT:-5}
CONV_REPEAT=${CONV_REPEAT:-3}
CORES=${CORES:-$(getconf _NPROCESSORS_ONLN)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "timing the MLP epoch: lunet, then PyTorch ($REPEAT epochs each, 1 thread)"
lua5.4 bench/mlp.lua --mode time --repeat "$REPEAT" --threads 1 >"$out/mlp-lunet"
/usr/bin/python3 bench/torch_mlp.py --mode time --repeat "$REPEAT" --threads 1 >"$out/mlp-torch"
echo "timing the MLP epoch with Adam: lunet, then PyTorch ($REPEAT epochs each, 1 thread)"
lua5.4 bench/mlp.lua --mode time --optimizer adam --repeat "$REPEAT" --threads 1 >"$out/adam-lunet"
/usr/bin/python3 bench/torch_mlp.py --mode time --optimizer adam --repeat "$REPEAT" --threads 1 >"$out/adam-torch"
set -- "$out/mlp-lunet" "$out/mlp-torch" "$out/adam-lunet" "$out/adam-torch"
for n in $(echo 1 "$CORES" | tr ' ' '\n' | sort -un); do
  echo "timing the convolutional epoch: lunet, then PyTorch ($CONV_REPEAT epoch(s) each, $n thread(s))"
  lua5.4 bench/conv.lua --mode time --repeat "$CONV_REPEAT" --threads "$n" >"$out/conv-lunet-$n"
  /usr/bin/python3 bench/torch_conv.py --mode time --repeat "$CONV_REPEAT" --threads "$n" \
    --blas-threads 1 >"$out/conv-torch-$n"
  set -- "$@" "$out/conv-lunet-$n" "$out/conv-torch-$n"
done
sh bench/lbfgs.sh "$out"
set -- "$@" "$out/lbfgs-lunet" "$out/lbfgs-torch"
echo
lua5.4 bench/report.lua "$@"
