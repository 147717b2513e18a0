#!/bin/sh
# run_specs.sh LUA BUSTED [spec files...]: runs the busted specs under Lua 5.4
# and ends with the line "N passed, N failed" that CI reads. With ASAN=1 (or
# TSAN=1) the sanitizer runtime is preloaded into the interpreter.
set -u
LUA=${1:-lua5.4}
BUSTED=${2:-busted}
shift 2 2>/dev/null || true
out=$(mktemp)
if [ "${ASAN:-0}" = 1 ]; then
  rt=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
  export LD_PRELOAD="$rt"
  # a request past the sanitizer's largest block (1 TB) fails as calloc does
  # without it, with NULL, so lunet's "out of memory" path is what runs
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:allocator_may_return_null=1"
  export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LUNET_ASAN=1
  # Children inherit the preloaded runtime; curl hangs under it. The
  # downloader's tools run without it, through wrappers first on the PATH.
  wrap=$(mktemp -d)
  envbin=$(command -v env)
  for tool in curl wget python3; do
    real=$(command -v "$tool") || continue
    printf '#!/bin/sh\nexec %s -u LD_PRELOAD %s "$@"\n' "$envbin" "$real" >"$wrap/$tool"
    chmod +x "$wrap/$tool"
  done
  export PATH="$wrap:$PATH"
fi
if [ "${TSAN:-0}" = 1 ]; then
  # busted's launcher re-runs itself through sh, which the TSan runtime
  # crashes: start the Lua 5.4 runner directly
  export LD_PRELOAD="$(gcc -print-file-name=libtsan.so)"
  export TSAN_OPTIONS="halt_on_error=1"
  export LUNET_ASAN=1   # the same slow specs are skipped
  setarch "$(uname -m)" -R "$LUA" "$(command -v "$BUSTED")" --ignore-lua -o TAP "$@" >"$out" 2>&1
else
  "$BUSTED" --lua="$LUA" -o TAP "$@" >"$out" 2>&1
fi
status=$?
unset LD_PRELOAD
cat "$out"
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "busted exited with status $status before reporting a failure"
  failed=1
fi
rm -f "$out"
[ -n "${wrap:-}" ] && rm -rf "$wrap"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
