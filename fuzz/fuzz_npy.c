/*
** fuzz_npy.c: libFuzzer harness for the .npy reader. The bytes go to the
** same parser ln_npy_load uses, through its in-memory entry point; any
** outcome but a crash, a hang or a sanitizer report is fine.
*/
#include <stddef.h>
#include <stdint.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ln_tensor t;
  if (ln_npy_load_mem(&t, data, size, "fuzz.npy") == LN_OK) ln_tensor_free(&t);
  return 0;
}
