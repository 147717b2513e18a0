/*
** fuzz_model_crc.c: libFuzzer harness for the fields of a model file past
** its checksum. The input is a model file without its magic and CRC: the
** harness puts "LUNETNET" in front and appends the right CRC-32, so every
** mutation reaches the header checks, the layer records, the network
** builder and (for small networks) a forward and backward pass.
*/
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fileio.h"
#include "fuzz_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1 << 22)) return 0;
  uint8_t *file = malloc(size + 12);
  if (file == NULL) abort();
  memcpy(file, "LUNETNET", 8);
  if (size) memcpy(file + 8, data, size);
  ln_put_le32(file + 8 + size, (uint32_t)crc32_z(0L, file, 8 + size));
  fuzz_model_bytes(file, size + 12);
  free(file);
  return 0;
}
