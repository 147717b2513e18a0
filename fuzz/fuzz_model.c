/*
** fuzz_model.c: libFuzzer harness for model files as stored: magic,
** CRC-32 and all. Most mutations stop at the checksum; fuzz_model_crc.c
** reseals them to reach the fields and layer records behind it.
*/
#include "fuzz_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_model_bytes(data, size);
  return 0;
}
