/*
** parallel.c: see parallel.h.
*/
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "ln.h"
#include "parallel.h"

/* Spins before a worker sleeps: a millisecond or two, far longer than the
** gap between two operations of a training step. */
#define SPINS 100000

static struct {
  int n;                          /* parts: the caller and n - 1 workers */
  long spins;                     /* SPINS, or 0 with more threads than cores */
  pthread_t workers[LN_MAX_THREADS];
  atomic_uint generation;         /* bumped to hand out work */
  atomic_int pending;             /* workers still busy with it */
  atomic_int sleepers;
  unsigned start;                 /* the generation when the workers were made */
  int stop;
  ln_part_fn fn;
  void *ctx;
  int nparts;
  pthread_mutex_t lock;
  pthread_cond_t wake;
} pool = {1, SPINS, {0}, 0, 0, 0, 0, 0, NULL, NULL, 1, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Waits for the generation to move past `seen`: spinning, then asleep. */
static unsigned await_work(unsigned seen) {
  unsigned g;
  for (long spins = 0; (g = atomic_load(&pool.generation)) == seen; spins++) {
    if (spins < pool.spins) {
      relax();
      continue;
    }
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.sleepers, 1);
    while (atomic_load(&pool.generation) == seen) pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.lock);
  }
  return g;
}

static void *worker(void *arg) {
  int part = (int)(intptr_t)arg;
  unsigned seen = pool.start;   /* not the current one: work may be handed out before we run */
  for (;;) {
    seen = await_work(seen);
    if (pool.stop) return NULL;
    if (part < pool.nparts) pool.fn(pool.ctx, part, pool.nparts);
    atomic_fetch_sub(&pool.pending, 1);
  }
}

static void broadcast(void) {
  atomic_fetch_add(&pool.generation, 1);
  if (atomic_load(&pool.sleepers) > 0) {
    pthread_mutex_lock(&pool.lock);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
  }
}

static void stop_workers(void) {
  if (pool.n == 1) return;
  pool.stop = 1;
  atomic_store(&pool.pending, pool.n - 1);
  broadcast();
  for (int i = 1; i < pool.n; i++) pthread_join(pool.workers[i], NULL);
  pool.stop = 0;
  pool.n = 1;
}

int ln_parallel_init(int nthreads) {
  if (nthreads < 1 || nthreads > LN_MAX_THREADS)
    return ln_fail(LN_EARG, "thread count must be 1..%d, not %d", LN_MAX_THREADS, nthreads);
  if (nthreads == pool.n) return LN_OK;
  stop_workers();
  /* more threads than cores: a spinning thread would take a core from a
  ** working one, so waiting threads sleep at once and the caller yields */
  pool.spins = nthreads > sysconf(_SC_NPROCESSORS_ONLN) ? 0 : SPINS;
  pool.start = atomic_load(&pool.generation);
  for (int i = 1; i < nthreads; i++) {
    if (pthread_create(&pool.workers[i], NULL, worker, (void *)(intptr_t)i) != 0) {
      pool.n = i;
      stop_workers();
      return ln_fail(LN_ENOMEM, "cannot start worker threads");
    }
    pool.n = i + 1;
  }
  return LN_OK;
}

int ln_parallel_threads(void) {
  return pool.n;
}

void ln_parallel(ln_part_fn fn, void *ctx, int64_t work, int64_t per_thread) {
  int n = pool.n;
  if (per_thread > 0 && work / per_thread < n) n = (int)(work / per_thread);
  if (n <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  pool.nparts = n;
  atomic_store(&pool.pending, pool.n - 1);
  broadcast();
  fn(ctx, 0, n);
  while (atomic_load(&pool.pending) > 0) {
    if (pool.spins) relax();
    else sched_yield();
  }
}

void ln_parallel_parts(ln_part_fn fn, void *ctx, int nparts) {
  if (nparts <= pool.n) {
    ln_parallel(fn, ctx, nparts, 1);
    return;
  }
  for (int part = 0; part < nparts; part++) fn(ctx, part, nparts);
}

void ln_split(int64_t total, int part, int nparts, int64_t *begin, int64_t *end) {
  *begin = total * part / nparts;
  *end = total * (part + 1) / nparts;
}

/* A forked child has only the thread that called fork: the workers are
** gone (not to be joined), and the lock may have been held by one of them. */
void ln_parallel_forget(void) {
  pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
  pool.lock = fresh;
  pool.wake = wake;
  pool.n = 1;
  pool.stop = 0;
  atomic_store(&pool.pending, 0);
  atomic_store(&pool.sleepers, 0);
}
