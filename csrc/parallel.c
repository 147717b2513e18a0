/*
** parallel.c: see parallel.h.
*/
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "ln.h"
#include "parallel.h"

/* Spins before a worker sleeps: a millisecond or two, far longer than the
** gap between two operations of a training step. */
#define SPINS 100000

/*
** Handing out parts: `claims` holds the generation's number (bits 32-63),
** its part count (16-31) and one bit per part taken (0-15). The caller takes
** part 0, worker i tries part i first; whoever is done early takes what is
** left. So a worker that is late (its core busy with another process, or
** asleep) costs a part's time, not a wait for the scheduler: on 2 cores
** shared with one other busy process, a two-thread conv epoch took 120 s
** when the caller waited for the workers' own parts, against 4-6 s alone.
** A claim made with an old generation's number fails, so a worker waking
** late can never run a part of a call that has returned.
*/
static struct {
  int n;                          /* threads: the caller and n - 1 workers */
  long spins;                     /* SPINS, or 0 with more threads than cores */
  pthread_t workers[LN_MAX_THREADS];
  atomic_uint generation;         /* bumped to hand out work */
  _Atomic uint64_t claims;        /* generation, parts, parts taken (see above) */
  atomic_int done;                /* parts finished in this generation */
  atomic_int sleepers;
  unsigned start;                 /* the generation when the workers were made */
  atomic_int stop;                /* read by workers that may have taken no part: atomic */
  ln_part_fn fn;                  /* set before claims, unchanged until every part is done */
  void *ctx;
  pthread_mutex_t lock;
  pthread_cond_t wake;
} pool = {1, SPINS, {0}, 0, 0, 0, 0, 0, 0, NULL, NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

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

/* Takes part i of generation gen if it is still free: 1 if taken. */
static int claim(unsigned gen, int i) {
  uint64_t v = atomic_load(&pool.claims);
  for (;;) {
    if ((unsigned)(v >> 32) != gen || i >= (int)((v >> 16) & 0xFFFF) || (v & (1u << i))) return 0;
    if (atomic_compare_exchange_weak(&pool.claims, &v, v | (1u << i))) return 1;
  }
}

static void run(int i, int nparts) {
  pool.fn(pool.ctx, i, nparts);
  atomic_fetch_add(&pool.done, 1);
}

/* Parts of generation gen still free, tried from `first` on (wrapping, part 0 skipped). */
static void take_rest(unsigned gen, int first, int nparts) {
  for (int k = 0; k < nparts - 1; k++) {
    int i = 1 + (first - 1 + k) % (nparts - 1);
    if (claim(gen, i)) run(i, nparts);
  }
}

atomic_int ln_parallel_late_us;

static void *worker(void *arg) {
  int part = (int)(intptr_t)arg;
  unsigned seen = pool.start;   /* not the current one: work may be handed out before we run */
  for (;;) {
    seen = await_work(seen);
    if (atomic_load(&pool.stop)) return NULL;
    int late = atomic_load(&ln_parallel_late_us);
    if (late > 0) nanosleep(&(struct timespec){late / 1000000, (long)(late % 1000000) * 1000}, NULL);
    uint64_t v = atomic_load(&pool.claims);
    int nparts = (int)((v >> 16) & 0xFFFF);
    if ((unsigned)(v >> 32) == seen && nparts > 1) take_rest(seen, part < nparts ? part : 1, nparts);
  }
}

static void broadcast(void) {
  if (atomic_load(&pool.sleepers) > 0) {
    pthread_mutex_lock(&pool.lock);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
  }
}

static void stop_workers(void) {
  if (pool.n == 1) return;
  atomic_store(&pool.stop, 1);
  atomic_fetch_add(&pool.generation, 1);
  broadcast();
  for (int i = 1; i < pool.n; i++) pthread_join(pool.workers[i], NULL);
  atomic_store(&pool.stop, 0);
  pool.n = 1;
}

int ln_parallel_init(int nthreads) {
  if (nthreads < 1 || nthreads > LN_MAX_THREADS)
    return ln_fail(LN_EARG, "thread count must be 1..%d, not %d", LN_MAX_THREADS, nthreads);
  if (nthreads == pool.n) return LN_OK;
  int st = ln_blas_reserve(nthreads);   /* every thread may be in a product at once */
  if (st != LN_OK) return st;
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
  unsigned gen = atomic_load(&pool.generation) + 1;
  pool.fn = fn;
  pool.ctx = ctx;
  atomic_store(&pool.done, 0);
  atomic_store(&pool.claims, (uint64_t)gen << 32 | (uint64_t)n << 16 | 1u);   /* part 0 is the caller's */
  atomic_store(&pool.generation, gen);
  broadcast();
  run(0, n);
  take_rest(gen, n - 1, n);   /* from the last: the workers start from their own */
  while (atomic_load(&pool.done) < n) {
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
  atomic_store(&pool.stop, 0);
  atomic_store(&pool.done, 0);
  atomic_store(&pool.claims, 0);
  atomic_store(&pool.sleepers, 0);
}
