#!/bin/sh
# make bench-accuracy: the same network trained the same way by lunet and by
# PyTorch on Fashion-MNIST; prints both test accuracies. NET picks it:
#   mlp   784-30-10 sigmoid, cross-entropy, eta 0.1, lambda 5.0, mini-batch 10, 30 epochs
#   conv  the chapter-6 two-convolution ReLU network (network3's initialisation),
#         log-likelihood, eta 0.03, lambda 0.1, mini-batch 10, 20 epochs
#   all   both (the default)
# EPOCHS=n overrides the epoch count; SEEDS="1 2 3" trains once per seed and
# adds the means (default: 1). The two sides run at the same time, one
# thread each.
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
NET=${NET:-all}
SEEDS=${SEEDS:-1}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run_pair() {  # name, lunet command, PyTorch command (each without --seed)
  files=""
  for seed in $SEEDS; do
    echo "training $1 with seed $seed: lunet and PyTorch side by side"
    sh -c "$2 --seed $seed" >"$out/$1-$seed-lunet" 2>&1 &
    lpid=$!
    sh -c "$3 --seed $seed" >"$out/$1-$seed-torch" 2>&1 || { cat "$out/$1-$seed-torch"; exit 1; }
    wait "$lpid" || { cat "$out/$1-$seed-lunet"; exit 1; }
    files="$files $out/$1-$seed-lunet $out/$1-$seed-torch"
  done
  # shellcheck disable=SC2086
  lua5.4 bench/report.lua --accuracy $files
}
if [ "$NET" = mlp ] || [ "$NET" = all ]; then
  e=${EPOCHS:-30}
  run_pair mlp "lua5.4 bench/mlp.lua --mode train --epochs $e" \
    "/usr/bin/python3 bench/torch_mlp.py --mode train --epochs $e --eta 0.1 --lmbda 5.0"
fi
if [ "$NET" = conv ] || [ "$NET" = all ]; then
  e=${EPOCHS:-20}
  run_pair conv "lua5.4 bench/conv.lua --mode train --epochs $e --threads 1" \
    "/usr/bin/python3 bench/torch_conv.py --mode train --epochs $e --threads 1"
fi
