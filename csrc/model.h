/*
** model.h: networks to and from files (format described in model.c).
*/
#ifndef LN_MODEL_H
#define LN_MODEL_H

#include "net.h"

int ln_model_save(const ln_net *net, const char *path);
int ln_model_load(ln_net **out, const char *path);

#endif
