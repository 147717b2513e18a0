/*
** mem.h: zeroed blocks for tensor storage. Blocks of LN_MEM_HUGE bytes or
** more are mapped on their own, 2 MB-aligned and marked for transparent
** huge pages (Linux's MADV_HUGEPAGE), so the kernel backs each 2 MB of them
** with one page fault instead of 512. A fault costs about 11 us on the
** virtual machines lunet is measured on (the hypervisor sees each one): the
** first pass over a fresh 4.2 MB block (L-BFGS's history on 784-30-10) took
** 11-13 ms, a twentieth of the whole run, and 0.5 ms with huge pages.
** Smaller blocks, other systems and sanitizer builds (whose allocator
** guards the heap) use calloc.
*/
#ifndef LN_MEM_H
#define LN_MEM_H

#include <stddef.h>

#define LN_MEM_HUGE ((size_t)2 << 20)

/* nbytes zeroed bytes (at least 1), or NULL; *mapped is what ln_mem_free
** needs back: 0 for calloc's blocks, else the length mapped. */
void *ln_mem_zalloc(size_t nbytes, size_t *mapped);
void ln_mem_free(void *p, size_t mapped);

#endif
