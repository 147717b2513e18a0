/*
** fuzz_idx.c: libFuzzer harness for the IDX reader, plain or gzip: the
** bytes are the file as stored (a gzip file is recognised by its magic,
** as ln_idx_load does). fuzz_idx_gz.c reaches the IDX header through
** valid gzip streams.
*/
#include "fuzz_file.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  ln_tensor t;
  int fd = fuzz_file_open(data, size, path, sizeof path);
  if (ln_idx_load(&t, path, 1.0 / 255) == LN_OK) ln_tensor_free(&t);
  fuzz_file_close(fd);
  return 0;
}
