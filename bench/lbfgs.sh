#!/bin/sh
# make bench-lbfgs (and part of make bench): full-batch L-BFGS on one fixed
# problem, lunet.minimize against torch.optim.LBFGS (strong Wolfe, history
# 10), 1 thread each: the 784-30-10 sigmoid network's cross-entropy on the
# first 1,000 Fashion-MNIST training images, float64, the same initial
# parameters (lunet writes them and the data to .npy files, PyTorch loads
# them). PyTorch runs ITER iterations (default 100); lunet runs up to twice
# as many, so the report can say when it reaches PyTorch's final cost.
# SEED=n picks the initial parameters. With an argument, the two JSON
# results are left in that directory (for bench/run.sh's report) instead of
# being reported here.
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
ITER=${ITER:-100}
SEED=${SEED:-1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=${1:-$dir}
echo "full-batch L-BFGS: lunet ($((2 * ITER)) iterations at most), then PyTorch ($ITER iterations), 1 thread"
lua5.4 bench/lbfgs.lua --dir "$dir" --iter $((2 * ITER)) --seed "$SEED" >"$out/lbfgs-lunet"
/usr/bin/python3 bench/torch_lbfgs.py --dir "$dir" --iter "$ITER" >"$out/lbfgs-torch"
if [ $# -eq 0 ]; then
  echo
  lua5.4 bench/report.lua --lbfgs "$out/lbfgs-lunet" "$out/lbfgs-torch"
fi
