/*
** fuzz_checkpoint_crc.c: libFuzzer harness for the sections of a
** checkpoint past its checksums. The input is a checkpoint without its
** magic and CRC: the harness puts "LUNETCKP" in front, reseals the model
** image inside (it has a CRC-32 of its own) when its length field points
** inside the input, and appends the file's CRC-32, so every mutation
** reaches the model, optimizer, stream and text checks, and the restore.
*/
#include "fuzz_checkpoint.h"   /* first: see fuzz_file.h */

#include <zlib.h>

#include "fileio.h"

/* Input layout: u32 version, u64 model length, the model image, ... */
static void reseal_model(uint8_t *file, size_t size) {
  if (size < 20) return;
  uint64_t len = ln_le64(file + 12);
  if (len < 4 || len > size - 20) return;
  uint8_t *image = file + 20;
  ln_put_le32(image + len - 4, (uint32_t)crc32_z(0L, image, (size_t)len - 4));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1 << 22)) return 0;
  uint8_t *file = malloc(size + 12);
  if (file == NULL) abort();
  memcpy(file, "LUNETCKP", 8);
  if (size) memcpy(file + 8, data, size);
  reseal_model(file, size + 8);
  ln_put_le32(file + 8 + size, (uint32_t)crc32_z(0L, file, 8 + size));
  fuzz_checkpoint_bytes(file, size + 12);
  free(file);
  return 0;
}
