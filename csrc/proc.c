/*
** proc.c: see proc.h.
*/
#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ln.h"
#include "parallel.h"
#include "proc.h"

int ln_fork(int64_t *pid) {
  pid_t p = fork();
  if (p < 0) return ln_fail(LN_EARG, "cannot start a worker process: %s", strerror(errno));
  if (p == 0) ln_parallel_forget();
  *pid = (int64_t)p;
  return LN_OK;
}

int ln_wait(int64_t pid, int64_t *done, int *code) {
  int status;
  pid_t p;
  do p = waitpid((pid_t)pid, &status, 0);
  while (p < 0 && errno == EINTR);
  if (p < 0) return ln_fail(LN_EARG, "waiting for a worker process: %s", strerror(errno));
  *done = (int64_t)p;
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  return LN_OK;
}

void ln_exit_now(int code) {
  _exit(code);
}

int ln_cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}
