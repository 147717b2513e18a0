#!/bin/sh
# run.sh SECONDS HARNESS...: runs each libFuzzer harness (build/fuzz/fuzz_NAME)
# for SECONDS on its corpus (build/fuzz/corpus/NAME, seeded by
# make_corpus.lua, grown by the run), one after the other, and prints per
# harness the executions and the coverage libFuzzer reports at the end
# (cov: instrumented edges, ft: features). Crashes, leaks, sanitizer
# reports and hangs (over 10 s per input) leave their input in
# build/fuzz/artifacts/NAME/ and make the script fail.
set -u
secs=$1
shift
# make fuzz FUZZ_SECONDS=x: libFuzzer would take a bad value for 0, no limit
case "$secs" in
  ''|*[!0-9]*|0)
    echo "fuzz/run.sh: FUZZ_SECONDS must be a whole number of seconds >= 1, got '$secs'" >&2
    exit 2 ;;
esac
out=build/fuzz
status=0
summary=""
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"
export OPENBLAS_NUM_THREADS=1
for name in "$@"; do
  rm -rf "$out/artifacts/$name"
  mkdir -p "$out/corpus/$name" "$out/artifacts/$name"
  log="$out/$name.log"
  nice "$out/fuzz_$name" "$out/corpus/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$name/" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep ' cov: ' "$log" | tail -1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
  found=$(ls "$out/artifacts/$name" | wc -l)
  verdict=ok
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    verdict="FINDING (exit $rc; inputs in $out/artifacts/$name/, log $log)"
    status=1
  fi
  line=$(printf '%-10s %10s execs %7s/s  cov: %-5s ft: %-6s corpus: %-10s %s' "$name" "${execs:-?}" \
    "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$verdict")
  echo "$line"
  summary="$summary$line
"
done
echo "---- fuzz: $secs s per harness"
printf '%s' "$summary"
exit $status
