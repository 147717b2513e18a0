/*
** parallel.h: a few worker threads that split one operation of a
** mini-batch step across cores into parts, each a range of the batch's
** images (or elements). Workers spin briefly between operations, which come
** every few microseconds while training, then sleep. The caller runs part
** 0; the others go to whichever thread is free first (each worker tries its
** own first), so a late worker never holds a call up.
**
** Every split is a fixed function of the thread count, so a seed gives the
** same numbers again for the same number of threads.
*/
#ifndef LN_PARALLEL_H
#define LN_PARALLEL_H

#include <stdatomic.h>
#include <stdint.h>

#define LN_MAX_THREADS 16

typedef void (*ln_part_fn)(void *ctx, int part, int nparts);

/* Sets the number of threads (1: everything on the caller). */
int ln_parallel_init(int nthreads);
int ln_parallel_threads(void);
/* Runs fn(ctx, part, n) for part 0..n-1, part 0 on the caller, and returns
** when all are done: n is the thread count, or fewer so that each part has
** at least per_thread of the work (in any unit the caller likes). */
void ln_parallel(ln_part_fn fn, void *ctx, int64_t work, int64_t per_thread);
/* Runs fn(ctx, part, nparts) for exactly nparts parts, however many
** threads there are now: for work split in a forward pass and picked up in
** the backward pass, when the thread count may have changed in between. */
void ln_parallel_parts(ln_part_fn fn, void *ctx, int nparts);
/* In a child made by fork: forget the workers, which did not come along,
** and run everything on the calling thread (ln_parallel_init may start
** new ones). */
void ln_parallel_forget(void);
/* For the specs: workers wait this many microseconds before taking parts
** (a worker whose core is busy elsewhere), 0 normally. */
extern atomic_int ln_parallel_late_us;
/* The part-th of n nearly equal pieces of [0, total). */
void ln_split(int64_t total, int part, int nparts, int64_t *begin, int64_t *end);

#endif
