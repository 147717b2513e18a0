/*
** fuzz_checkpoint.h: what both checkpoint harnesses do with bytes, in the
** order a resuming trainer does it (train.lua's resume). The reader opens
** a path, so the bytes go into an in-memory file (fuzz_file.h).
**   1. ln_checkpoint_text: checks every section (the model image, the
**      optimizer record and its state arrays, the random stream, the text)
**      and returns the text.
**   2. When it accepts the file, a live network is made from the file's own
**      model image and an optimizer from the file's own record, as the
**      trainer would make them for this run; its parameters are zeroed.
**   3. ln_checkpoint_load into them must then succeed and restore the
**      parameters bit for bit: a file the look inside accepts, no matching
**      network and optimizer can load, is a finding (abort).
**   4. A forward, backward and optimizer step on the restored state (small
**      networks), then a load into an optimizer of another kind, which must
**      fail and change nothing (checkpoint.h's promise).
*/
#ifndef FUZZ_CHECKPOINT_H
#define FUZZ_CHECKPOINT_H

#include "fuzz_file.h"   /* first: it asks for memfd_create (_GNU_SOURCE) */

#include <stdint.h>
#include <string.h>

#define FUZZ_NAME "fuzz_checkpoint"
#include "fuzz_net.h"
#include "bytes.h"
#include "checkpoint.h"
#include "model.h"

/* A broken promise of the reader: reported as a crash, with the input. */
static void finding(const char *what) {
  fprintf(stderr, "fuzz_checkpoint: %s (%s)\n", what, ln_errmsg());
  abort();
}

/* The file's model image (checkpoint.h: magic, version, u64 length, image);
** only called on a file ln_checkpoint_text accepted. */
static ln_ibuf model_image(const uint8_t *data, size_t size, const unsigned char **image) {
  ln_ibuf r = {data, size, 12, 0};
  uint64_t len = ln_get_u64(&r);
  *image = ln_take(&r, (size_t)len);
  if (*image == NULL) finding("accepted a checkpoint whose model image is cut");
  r.len = r.pos, r.pos -= (size_t)len;   /* the image alone; r.pos at its start */
  return r;
}

/* The optimizer the trainer would make: the kind, hyperparameters,
** regularisation and training set size of the file's record, which
** follows the model image. */
static int optim_from_record(ln_optim *o, const ln_net *net, const uint8_t *data, size_t size, size_t at) {
  ln_ibuf r = {data, size, at, 0};
  uint32_t kind = ln_get_u32(&r), count = ln_get_u32(&r);
  if (kind >= LN_OPTIM_NKINDS) finding("accepted an unknown optimizer kind");
  ln_optim_defaults(o, (ln_optkind)kind);
  const ln_hparam *hp = ln_optim_hparams((ln_optkind)kind);
  for (uint32_t i = 0; i < count; i++) {
    double v = ln_get_f64(&r);
    if (hp[i].boolean) *(int *)((char *)&o->h + hp[i].offset) = v != 0;
    else memcpy((char *)&o->h + hp[i].offset, &v, sizeof v);
  }
  o->reg = (ln_reg)ln_get_u32(&r);
  o->lambda = ln_get_f64(&r);
  o->n = (int64_t)ln_get_u64(&r);
  return ln_optim_init(o, net);
}

/* One training step on two zero samples, with the restored state. */
static void step(ln_net *net, ln_optim *o) {
  ln_rng rng;
  ln_rng_seed(&rng, 1);
  ln_mode mode;
  memset(&mode, 0, sizeof mode);
  mode.train = 1, mode.rng = &rng;
  int top;
  if (!small_enough(net) || ln_net_reserve(net, 2) != LN_OK || ln_net_forward(net, 2, &mode) != LN_OK) return;
  (void)ln_net_cost_sum(net, 2);
  ln_net_zero_grad(net);
  ln_net_cost_delta(net, 2, 0.5, &top);
  if (ln_net_backward(net, 2, top, 1) != LN_OK) return;
  ln_net_penalty_grad(net, o->reg, o->lambda / (double)o->n);
  (void)ln_optim_step(o, net);
}

/* A load into an optimizer of another kind fails and leaves net, o and
** the stream as they were. */
static void load_mismatched(const char *path, ln_net *net, ln_optkind kind) {
  ln_optim other;
  ln_rng rng = {{1, 2, 3, 4}};
  char *text;
  size_t len;
  ln_optim_defaults(&other, (ln_optkind)((kind + 1) % LN_OPTIM_NKINDS));
  if (ln_optim_init(&other, net) != LN_OK) return;
  size_t bytes = ln_nbytes(&net->params);
  unsigned char *before = malloc(bytes ? bytes : 1);
  if (before == NULL) abort();
  memcpy(before, ln_data(&net->params), bytes);
  if (ln_checkpoint_load(path, net, &other, &rng, &text, &len) == LN_OK)
    finding("a checkpoint loaded into an optimizer of another kind");
  if (text != NULL || memcmp(before, ln_data(&net->params), bytes) != 0 || other.h.t != 0 || rng.s[0] != 1)
    finding("a failed load changed something");
  free(before);
  ln_optim_free(&other);
}

static void restore(const char *path, const uint8_t *data, size_t size) {
  const unsigned char *image;
  ln_ibuf m = model_image(data, size, &image);
  ln_net *net;
  ln_optim o;
  ln_rng rng = {{0, 0, 0, 0}};
  char *text;
  size_t len;
  if (ln_model_decode(&net, image, m.len - m.pos, "fuzz.model") != LN_OK)
    finding("the model image decoded in the checkpoint, not alone");
  if (optim_from_record(&o, net, data, size, m.len) != LN_OK)
    finding("accepted an optimizer record no optimizer can be made from");
  size_t bytes = ln_nbytes(&net->params);
  unsigned char *want = malloc(bytes ? bytes : 1);
  if (want == NULL) abort();
  memcpy(want, ln_data(&net->params), bytes);
  memset(ln_data(&net->params), 0, bytes);
  if (ln_checkpoint_load(path, net, &o, &rng, &text, &len) != LN_OK)
    finding("accepted a checkpoint that its own network and optimizer cannot load");
  if (memcmp(want, ln_data(&net->params), bytes) != 0) finding("the parameters were not restored");
  if ((rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3]) == 0 || text[len] != '\0') finding("bad stream or text");
  free(text);
  free(want);
  step(net, &o);
  load_mismatched(path, net, o.h.kind);
  ln_optim_free(&o);
  ln_net_free(net);
}

static void fuzz_checkpoint_bytes(const uint8_t *data, size_t size) {
  char path[64];
  char *text;
  size_t len;
  int fd = fuzz_file_open(data, size, path, sizeof path);
  if (ln_checkpoint_text(path, &text, &len) == LN_OK) {
    if (text == NULL || text[len] != '\0') finding("the text is not NUL-terminated");
    free(text);
    restore(path, data, size);
  } else if (text != NULL) {
    finding("a failed read returned text");
  }
  fuzz_file_close(fd);
}

#endif
