#!/bin/sh
# make bench: the benchmark suite. Every workload runs lunet, then PyTorch,
# in one run, with the same thread budget on both sides; each side reports
# the median of repeated timings. The report (bench/report.lua) prints one
# table and writes the same figures as JSON (BENCH_JSON, default
# build/bench/results-$BLAS.json) so runs can be compared.
#
#   make bench                  the platform's environment as it is
#   make bench BLAS=native      OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for
#                               both sides (OpenBLAS picks its kernels itself)
#   make bench QUICK=1          5,000 training images, one repeat, L-BFGS on seed 1 only: a quick look
#
# Workloads (Fashion-MNIST; the book's networks):
#   - a GEMM probe first: lunet's best 1024^3 sgemm, the peak that achieved
#     GFLOP/s are compared with;
#   - the 784-30-10 and 784-100-10 sigmoid MLP epochs (network2: SGD with L2)
#     at mini-batch 10 and 100, 1 thread, and 784-30-10 with Adam;
#   - the chapter-6 conv network's epoch at mini-batch 10 and 64, on 1
#     thread and on every core (CORES, default all online CPUs). With
#     several threads PyTorch gets its fastest setting at that budget:
#     OpenMP threads for its own ops and one OpenBLAS thread (more OpenBLAS
#     threads make mini-batch training several times slower);
#   - inference over the 10,000 test images: the MLP on 1 thread, the conv
#     network on 1 thread and on every core;
#   - full-batch L-BFGS against torch.optim.LBFGS on 1 thread (bench/lbfgs.sh),
#     on each seed of SEEDS (default "1 2 3 4 5 6 7 8").
# REPEAT (5), CONV_REPEAT (3) and INFER_REPEAT (5) set the timed repeats;
# IMAGES trains on the first N images (QUICK=1 sets 5000).
set -eu
cd "$(dirname "$0")/.."
. bench/paths.sh
BLAS=${BLAS:-platform}
case "$BLAS" in
  platform) ;;
  native) unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE ;;
  *) echo "BLAS must be platform or native, not $BLAS" >&2; exit 2 ;;
esac
if [ "${QUICK:-0}" != 0 ]; then
  IMAGES=${IMAGES:-5000} REPEAT=${REPEAT:-1} CONV_REPEAT=${CONV_REPEAT:-1} INFER_REPEAT=${INFER_REPEAT:-1}
  SEEDS=${SEEDS:-1}
  export SEEDS
fi
IMAGES=${IMAGES:-0}
REPEAT=${REPEAT:-5}
CONV_REPEAT=${CONV_REPEAT:-3}
INFER_REPEAT=${INFER_REPEAT:-5}
CORES=${CORES:-$(getconf _NPROCESSORS_ONLN)}
BENCH_JSON=${BENCH_JSON:-build/bench/results-$BLAS.json}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
LUA=lua5.4
PY=/usr/bin/python3
ids=""

# pair ID "lunet command" "pytorch command": both outputs kept for the report
pair() {
  id=$1
  echo "  $id: lunet, then PyTorch"
  sh -c "$2" >"$out/$id.lunet"
  sh -c "$3" >"$out/$id.torch"
  ids="$ids $id"
}

echo "lunet against PyTorch (BLAS=$BLAS, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, images ${IMAGES:-all})"
$LUA bench/probe.lua >"$out/probe"
img="--images $IMAGES"
for hidden in 30 100; do
  for batch in 10 100; do
    pair "mlp$hidden-b$batch-t1" \
      "$LUA bench/mlp.lua --mode time --hidden $hidden --batch $batch --repeat $REPEAT --threads 1 $img" \
      "$PY bench/torch_mlp.py --mode time --sizes 784,$hidden,10 --batch $batch --repeat $REPEAT --threads 1 $img"
  done
done
pair "adam30-b10-t1" \
  "$LUA bench/mlp.lua --mode time --optimizer adam --repeat $REPEAT --threads 1 $img" \
  "$PY bench/torch_mlp.py --mode time --optimizer adam --repeat $REPEAT --threads 1 $img"
pair "infer-mlp30-t1" \
  "$LUA bench/mlp.lua --mode infer --repeat $INFER_REPEAT --threads 1" \
  "$PY bench/torch_mlp.py --mode infer --repeat $INFER_REPEAT --threads 1"
for n in $(echo 1 "$CORES" | tr ' ' '\n' | sort -un); do
  t=$([ "$n" = 1 ] && echo t1 || echo all)
  for batch in 10 64; do
    pair "conv-b$batch-$t" \
      "$LUA bench/conv.lua --mode time --batch $batch --repeat $CONV_REPEAT --threads $n $img" \
      "$PY bench/torch_conv.py --mode time --batch $batch --repeat $CONV_REPEAT --threads $n --blas-threads 1 $img"
  done
  pair "infer-conv-$t" \
    "$LUA bench/conv.lua --mode infer --repeat $INFER_REPEAT --threads $n" \
    "$PY bench/torch_conv.py --mode infer --repeat $INFER_REPEAT --threads $n"
done
echo "  lbfgs"
sh bench/lbfgs.sh "$out" >/dev/null
echo
mkdir -p "$(dirname "$BENCH_JSON")"
$LUA bench/report.lua --dir "$out" --blas "$BLAS" --cores "$CORES" --json "$BENCH_JSON" $ids
