/*
** cpu.c: see cpu.h.
*/
#include "cpu.h"

int ln_cpu_level(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return LN_CPU_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LN_CPU_AVX2;
#endif
  return LN_CPU_PLAIN;
}

/* Relaxed atomics: threads that race on the first read store the same value. */
int ln_cpu_choice_get(ln_cpu_choice *c) {
  int l = __atomic_load_n(&c->level, __ATOMIC_RELAXED);
  if (l < 0) {
    l = ln_cpu_level();
    __atomic_store_n(&c->level, l, __ATOMIC_RELAXED);
  }
  return l;
}

int ln_cpu_choice_set(ln_cpu_choice *c, int want) {
  int have = ln_cpu_level(), l = want < 0 ? LN_CPU_PLAIN : want > have ? have : want;
  __atomic_store_n(&c->level, l, __ATOMIC_RELAXED);
  return l;
}
