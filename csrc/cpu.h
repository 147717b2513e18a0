/*
** cpu.h: which vector instructions the fast kernels may use. Each family
** of them (skinny.c, conv_direct.c, vmath.c) keeps its own level: the
** CPU's own at first, lowered by the specs to test the others.
*/
#ifndef LN_CPU_H
#define LN_CPU_H

#define LN_CPU_PLAIN 0    /* no vector instructions asked for */
#define LN_CPU_AVX2 1     /* AVX2 and FMA */
#define LN_CPU_AVX512 2   /* AVX-512 F */

/* the most this CPU has */
int ln_cpu_level(void);

/* One family's level (LN_CPU_CHOICE_INIT: not yet read) */
typedef struct ln_cpu_choice {
  int level;
} ln_cpu_choice;
#define LN_CPU_CHOICE_INIT {-1}

/* the level in use: the CPU's, until set */
int ln_cpu_choice_get(ln_cpu_choice *c);
/* sets want, capped at the CPU's level (below 0: plain); returns what was set */
int ln_cpu_choice_set(ln_cpu_choice *c, int want);

#endif
