/*
** model.h: networks to and from files (format described in model.c).
*/
#ifndef LN_MODEL_H
#define LN_MODEL_H

#include "net.h"

int ln_model_save(const ln_net *net, const char *path);
int ln_model_load(ln_net **out, const char *path);
/* The same bytes in memory (checkpoints embed them): encode gives a
** malloc'd image with its checksum; decode checks and parses one, naming
** `path` in its messages. */
int ln_model_encode(const ln_net *net, unsigned char **data, size_t *len);
int ln_model_decode(ln_net **out, const unsigned char *data, size_t size, const char *path);

#endif
