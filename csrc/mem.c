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
/* nbytes rounded up to 4 KB pages, mapped at a 2 MB boundary: map 2 MB
** more than that and unmap what lies before and after the aligned part.
** The huge pages cover the whole 2 MB stretches; the tail keeps 4 KB
** pages, so nothing is backed beyond the block. */
static void *map_huge(size_t nbytes, size_t *mapped) {
  const size_t page = 4096, huge = LN_MEM_HUGE;
  if (nbytes > SIZE_MAX - 2 * huge) return NULL;
  size_t len = (nbytes + page - 1) / page * page;
  char *base = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  char *p = (char *)(((uintptr_t)base + huge - 1) & ~(uintptr_t)(huge - 1));
  if (p > base) munmap(base, (size_t)(p - base));
  if (p + len < base + len + huge) munmap(p + len, (size_t)(base + len + huge - (p + len)));
  madvise(p, len, MADV_HUGEPAGE);   /* advice: without it (THP off) the block still works */
  *mapped = len;
  return p;
}
#else
static void *map_huge(size_t nbytes, size_t *mapped) {
  (void)nbytes, (void)mapped;
  return NULL;
}
#endif

void *ln_mem_zalloc(size_t nbytes, size_t *mapped) {
  *mapped = 0;
  if (nbytes >= LN_MEM_HUGE) {
    void *p = map_huge(nbytes, mapped);
    if (p != NULL) return p;
  }
  return calloc(nbytes ? nbytes : 1, 1);
}

void ln_mem_free(void *p, size_t mapped) {
#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(LN_MEM_CALLOC_ONLY)
  if (mapped) {
    munmap(p, mapped);
    return;
  }
#endif
  (void)mapped;
  free(p);
}
