/*
** mem.c: see mem.h.
*/
#define _DEFAULT_SOURCE 1   /* MAP_ANONYMOUS and MADV_HUGEPAGE, beyond POSIX */

#include "mem.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define LN_MEM_CALLOC_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define LN_MEM_CALLOC_ONLY 1
#endif
#endif

#if defined(__linux__) && !defined(LN_MEM_CALLOC_ONLY)
#include <sys/mman.h>
#endif

#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(LN_MEM_CALLOC_ONLY)
#include <pthread.h>
#include <string.h>

/* nbytes rounded up to 4 KB pages, mapped at a 2 MB boundary: map 2 MB
** more than that and unmap what lies before and after the aligned part.
** The huge pages cover the whole 2 MB stretches; the tail keeps 4 KB
** pages, so nothing is backed beyond the block. */
static void *map_huge(size_t len) {
  const size_t huge = LN_MEM_HUGE;
  char *base = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  char *p = (char *)(((uintptr_t)base + huge - 1) & ~(uintptr_t)(huge - 1));
  if (p > base) munmap(base, (size_t)(p - base));
  if (p + len < base + len + huge) munmap(p + len, (size_t)(base + len + huge - (p + len)));
  madvise(p, len, MADV_HUGEPAGE);   /* advice: without it (THP off) the block still works */
  return p;
}

/* Freed blocks kept for the next request of about their size, as glibc
** reuses its heap: a loop that makes and drops a 2.5 MB tensor each step
** otherwise maps, faults (the 4 KB tail) and unmaps it every time, 2-3 ms
** a step against 0.2. At most CACHE_BLOCKS blocks of CACHE_BLOCK_MAX each
** and CACHE_BYTES in all, glibc's own bounds (its mmap threshold grows to
** 32 MB, its heap keeps up to 64 MB unreturned), so closing a data set
** gives its memory back: with 256 MB in all, a closed 100 MB tensor, or
** eight of 30 MB, had stayed resident. */
#define CACHE_BLOCKS 8
#define CACHE_BLOCK_MAX ((size_t)32 << 20)
#define CACHE_BYTES ((size_t)64 << 20)
static struct { void *p; size_t len; } cache[CACHE_BLOCKS];
static size_t cached_bytes;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* a kept block of len to len + len / 4 bytes, or NULL */
static void *take_cached(size_t len, size_t *mapped) {
  void *p = NULL;
  pthread_mutex_lock(&cache_lock);
  for (int i = 0; i < CACHE_BLOCKS; i++)
    if (cache[i].p != NULL && cache[i].len >= len && cache[i].len - len <= len / 4) {
      p = cache[i].p, *mapped = cache[i].len;
      cached_bytes -= cache[i].len;
      cache[i].p = NULL;
      break;
    }
  pthread_mutex_unlock(&cache_lock);
  return p;
}

static int keep(void *p, size_t len) {
  int kept = 0;
  if (len > CACHE_BLOCK_MAX) return 0;
  pthread_mutex_lock(&cache_lock);
  for (int i = 0; i < CACHE_BLOCKS && !kept; i++)
    if (cache[i].p == NULL && cached_bytes + len <= CACHE_BYTES) {
      cache[i].p = p, cache[i].len = len;
      cached_bytes += len;
      kept = 1;
    }
  pthread_mutex_unlock(&cache_lock);
  return kept;
}

static void *huge_zalloc(size_t nbytes, size_t *mapped) {
  const size_t page = 4096;
  if (nbytes > SIZE_MAX - 2 * LN_MEM_HUGE) return NULL;
  size_t len = (nbytes + page - 1) / page * page;
  void *p = take_cached(len, mapped);
  if (p != NULL) return memset(p, 0, nbytes);
  if ((p = map_huge(len)) != NULL) *mapped = len;
  return p;
}

static int huge_free(void *p, size_t mapped) {
  if (!mapped) return 0;
  if (!keep(p, mapped)) munmap(p, mapped);
  return 1;
}
#else
static void *huge_zalloc(size_t nbytes, size_t *mapped) {
  (void)nbytes, (void)mapped;
  return NULL;
}

static int huge_free(void *p, size_t mapped) {
  (void)p, (void)mapped;
  return 0;
}
#endif

void *ln_mem_zalloc(size_t nbytes, size_t *mapped) {
  *mapped = 0;
  if (nbytes >= LN_MEM_HUGE) {
    void *p = huge_zalloc(nbytes, mapped);
    if (p != NULL) return p;
  }
  return calloc(nbytes ? nbytes : 1, 1);
}

void ln_mem_free(void *p, size_t mapped) {
  if (!huge_free(p, mapped)) free(p);
}
