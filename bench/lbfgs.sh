#!/bin/sh
# make bench-lbfgs (and part of make bench): full-batch L-BFGS on one fixed
# problem, lunet.minimize against torch.optim.LBFGS (strong Wolfe, history
# 10), 1 thread each: the 784-30-10 sigmoid network's cross-entropy on the
# first 1,000 Fashion-MNIST training images, float64, the same initial
# parameters (lunet writes them and the data to .npy files, PyTorch loads
# them). PyTorch runs ITER iterations (default 100); lunet runs up to twice
# as many, so the report can say when it reaches PyTorch's final cost.
#
# The problem is run once for every seed of the initial parameters in
# SEEDS (default "1 2 3 4 5 6 7 8"; SEED=n alone, as before, means
# SEEDS=n): one seed is one non-convex path, so the report gives the first
# seed's table, a line per seed and a summary over all of them.
#
# H0 (default ss/sy, lunet's default) is lunet's L-BFGS H0 rule; H0=sy/yy
# is PyTorch's, whose path lunet then follows up to rounding, so that the
# iterations to PyTorch's cost are 100 +- 2, a coin flip (bench/README.md).
#
# With an argument, the results are left in that directory for bench/run.sh's
# report instead of being reported here: lbfgs-lunet-SEED and lbfgs-torch-SEED
# (one JSON line each) for every seed, and lbfgs-seeds listing the seeds in
# order.
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
ITER=${ITER:-100}
H0=${H0:-ss/sy}
SEEDS=${SEEDS:-${SEED:-1 2 3 4 5 6 7 8}}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=${1:-$dir}
echo "full-batch L-BFGS: lunet ($((2 * ITER)) iterations at most), then PyTorch ($ITER iterations), 1 thread;" \
  "seeds $SEEDS"
: >"$out/lbfgs-seeds"
pairs=""
for seed in $SEEDS; do
  case "$seed" in
    '' | *[!0-9]*) echo "bench/lbfgs.sh: SEEDS must be whole numbers, got '$seed'" >&2; exit 2 ;;
  esac
  lua5.4 bench/lbfgs.lua --dir "$dir" --iter $((2 * ITER)) --seed "$seed" --h0 "$H0" >"$out/lbfgs-lunet-$seed"
  /usr/bin/python3 bench/torch_lbfgs.py --dir "$dir" --iter "$ITER" >"$out/lbfgs-torch-$seed"
  echo "$seed" >>"$out/lbfgs-seeds"
  pairs="$pairs $out/lbfgs-lunet-$seed $out/lbfgs-torch-$seed"
done
if [ $# -eq 0 ]; then
  echo
  # shellcheck disable=SC2086 # the file pairs, split on purpose (mktemp's paths have no spaces)
  lua5.4 bench/report.lua --lbfgs $pairs
fi
