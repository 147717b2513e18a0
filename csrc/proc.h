/*
** proc.h: worker processes for lunet.tune (one configuration per child,
** the parent waits): fork, wait, leave, and the number of cores.
*/
#ifndef LN_PROC_H
#define LN_PROC_H

#include <stdint.h>

/* fork(): *pid gets the child's id in the parent and 0 in the child. In
** the child lunet's worker threads are forgotten (one thread), since fork
** copies only the calling thread. */
int ln_fork(int64_t *pid);
/* Waits for the child pid (-1: any child): *done gets its id, *code its
** exit status, or 128 + the signal that killed it. */
int ln_wait(int64_t pid, int64_t *done, int *code);
/* Ends the process at once with code: no atexit handlers, no finalisers
** (a child must not stop threads it does not have). */
void ln_exit_now(int code);
int ln_cpu_count(void);

#endif
