/*
** fuzz_checkpoint.c: libFuzzer harness for checkpoint files as stored:
** magic, CRC-32 and all. Most mutations stop at the checksum;
** fuzz_checkpoint_crc.c reseals them to reach the sections behind it.
*/
#include "fuzz_checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_checkpoint_bytes(data, size);
  return 0;
}
