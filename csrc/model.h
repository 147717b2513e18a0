/*
** model.h: networks to and from files (format described in model.c).
*/
#ifndef LN_MODEL_H
#define LN_MODEL_H

#include "net.h"

int ln_model_save(const ln_net *net, const char *path);
int ln_model_load(ln_net **out, const char *path);
/* What ln_model_load does after reading the file: the bytes of a model
** file in memory; name stands for the file in messages. */
int ln_model_parse(ln_net **out, const unsigned char *data, size_t size, const char *name);

#endif
