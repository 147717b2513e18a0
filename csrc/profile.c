/*
** profile.c: see profile.h.
*/
#include <string.h>
#include <time.h>

#include "profile.h"

int ln_prof_on = 0;
int ln_prof_layer = -1;

/* row 0 is "no layer"; layer i is row i + 1 */
static struct {
  double seconds[LN_PROF_MAXLAYERS + 1][LN_PH_NPHASES];
  int64_t calls[LN_PROF_MAXLAYERS + 1][LN_PH_NPHASES];
  const char *name[LN_PROF_MAXLAYERS + 1];
  int nlayers;
} table;

static const char *const phase_names[LN_PH_NPHASES] = {
  "epoch", "gather", "forward", "cost", "backward", "zero_grad", "update",
  "im2col", "col2im", "products", "layout",
};

static clockid_t prof_clock = CLOCK_MONOTONIC;

void ln_prof_enable(int on, int cpu) {
  memset(&table, 0, sizeof table);
  ln_prof_layer = -1;
  prof_clock = cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC;
  ln_prof_on = on != 0;
}

static double seconds(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double ln_prof_now(void) {
  return seconds(prof_clock);
}

double ln_wall_now(void) {
  return seconds(CLOCK_MONOTONIC);
}

/* Layers past the table's last row are folded into it: the table stays
** fixed-size, and 64 layers is far more than any network here has. */
void ln_prof_add(int layer, const char *name, ln_phase phase, double seconds) {
  int row = layer < 0 ? 0 : layer >= LN_PROF_MAXLAYERS ? LN_PROF_MAXLAYERS : layer + 1;
  if ((unsigned)phase >= LN_PH_NPHASES) return;
  table.seconds[row][phase] += seconds;
  table.calls[row][phase]++;
  if (name) table.name[row] = name;
  if (row > table.nlayers) table.nlayers = row;
}

const char *ln_prof_phase_name(ln_phase phase) {
  return (unsigned)phase < LN_PH_NPHASES ? phase_names[phase] : "?";
}

static int row_of(int layer) {
  return layer < -1 || layer >= LN_PROF_MAXLAYERS ? -1 : layer + 1;
}

double ln_prof_seconds(int layer, ln_phase phase, int64_t *calls) {
  int row = row_of(layer);
  if (row < 0 || (unsigned)phase >= LN_PH_NPHASES) {
    if (calls) *calls = 0;
    return 0.0;
  }
  if (calls) *calls = table.calls[row][phase];
  return table.seconds[row][phase];
}

const char *ln_prof_layer_name(int layer) {
  int row = row_of(layer);
  return row < 0 ? NULL : table.name[row];
}

int ln_prof_nlayers(void) {
  return table.nlayers;
}
