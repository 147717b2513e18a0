/*
** lua_readline.c: luaopen_lunet_readline, a thin binding of GNU readline
** for the lunet prompt (lua/lunet/prompt.lua), built as its own module
** (lunet/readline.so) so that lunet/core.so never depends on readline.
**
** Ctrl-C: readline's own signal handling is off (rl_catch_signals = 0).
** While a line is read, SIGINT only sets a flag; the line is read with
** readline's callback interface under pselect, with SIGINT blocked except
** inside pselect, so a Ctrl-C always wakes the wait and is never lost
** between the check and the wait. The half-typed line is then dropped and
** readline() returns false. While a chunk runs (pcall below), SIGINT sets
** a hook that raises "interrupted" at the next Lua instruction, as lua.c
** does, and the prompt survives. Both handlers are installed for the call
** only and the previous ones restored after.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <readline/history.h>
#include <readline/readline.h>

static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig) {
  (void)sig;
  got_sigint = 1;
}

static int install(void (*handler)(int), struct sigaction *old) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);   /* no SA_RESTART: the wait must return EINTR */
  return sigaction(SIGINT, &sa, old);
}

/* ---- reading a line ------------------------------------------------------ */

static char *line_read;   /* the callback interface hands the line here */
static int line_done;

static void on_line(char *line) {
  line_read = line;
  line_done = 1;
  rl_callback_handler_remove();
}

/* Drops the half-typed line (after Ctrl-C: showing "^C" after it, as a
** shell does) and leaves the terminal as readline found it. The new line
** comes first: leaving bracketed-paste mode writes a carriage return. */
static void abandon_line(int interrupted) {
  FILE *out = rl_outstream ? rl_outstream : stdout;
  rl_point = rl_end;
  rl_redisplay();
  if (interrupted) fputs("^C", out);
  rl_crlf();
  fflush(out);
  rl_free_line_state();
  rl_callback_sigcleanup();
  rl_cleanup_after_signal();
  rl_callback_handler_remove();
}

/* Waits for input or SIGINT; returns 1 when interrupted, 0 at a line or
** end of input, -1 on another error. */
static int read_loop(const sigset_t *waitmask) {
  int fd = fileno(rl_instream ? rl_instream : stdin);
  while (!line_done) {
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    int r = pselect(fd + 1, &in, NULL, NULL, NULL, waitmask);
    if (got_sigint) return 1;
    if (r < 0 && errno != EINTR) return -1;
    if (r > 0) rl_callback_read_char();
  }
  return 0;
}

/* readline(prompt) -> the line (without its newline), nil at end of input
** (Ctrl-D) or on a read error, or false when Ctrl-C dropped the line. */
static int l_readline(lua_State *L) {
  const char *prompt = luaL_optstring(L, 1, "> ");
  struct sigaction old;
  sigset_t block, waitmask;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  line_read = NULL;
  line_done = 0;
  got_sigint = 0;
  if (install(on_sigint, &old) != 0) return luaL_error(L, "readline: cannot handle SIGINT");
  sigprocmask(SIG_BLOCK, &block, &waitmask);
  sigdelset(&waitmask, SIGINT);
  rl_callback_handler_install(prompt, on_line);
  int st = read_loop(&waitmask);
  if (st != 0) abandon_line(st == 1);
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  sigaction(SIGINT, &old, NULL);
  if (st == 1) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (line_read == NULL) return 0;
  lua_pushstring(L, line_read);
  free(line_read);
  return 1;
}

/* ---- completion ----------------------------------------------------------- */

/* The Lua completer runs inside readline: its state and the candidates it
** returned for the current word are kept here for the generator. */
static lua_State *complete_L;
static int completer_ref = LUA_NOREF;

static char *next_candidate(const char *text, int state) {
  static lua_Integer i;
  (void)text;
  if (state == 0) i = 0;
  lua_State *L = complete_L;
  if (lua_type(L, -1) != LUA_TTABLE) return NULL;
  while (lua_rawgeti(L, -1, ++i) == LUA_TSTRING) {
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    char *copy = malloc(n + 1);   /* readline frees the matches */
    if (copy) memcpy(copy, s, n + 1);
    lua_pop(L, 1);
    return copy;
  }
  lua_pop(L, 1);
  return NULL;
}

/* Calls completer(word, line, start) in protected mode; its list of
** candidates (full words) stays on the stack while readline reads it. */
static char **attempt(const char *text, int start, int end) {
  (void)end;
  lua_State *L = complete_L;
  char **matches = NULL;
  rl_attempted_completion_over = 1;   /* never fall back to file names */
  rl_completion_append_character = '\0';
  if (L == NULL || completer_ref == LUA_NOREF) return NULL;
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, completer_ref);
  lua_pushstring(L, text);
  lua_pushstring(L, rl_line_buffer);
  lua_pushinteger(L, start);
  if (lua_pcall(L, 3, 1, 0) == LUA_OK) matches = rl_completion_matches(text, next_candidate);
  lua_settop(L, top);
  return matches;
}

/* set_completer(fn): fn(word, line, start) -> list of completions of word. */
static int l_set_completer(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_unref(L, LUA_REGISTRYINDEX, completer_ref);
  lua_settop(L, 1);
  completer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  complete_L = L;
  return 0;
}

/* ---- history -------------------------------------------------------------- */

/* Makes the directories above path (mkdir -p of its dirname). */
static int make_parents(const char *path) {
  char *p = strdup(path);
  if (p == NULL) return ENOMEM;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      int e = errno;
      free(p);
      return e;
    }
    *s = '/';
  }
  free(p);
  return 0;
}

static int fail(lua_State *L, const char *what, const char *path, int err) {
  lua_pushnil(L);
  lua_pushfstring(L, "%s %s: %s", what, path, strerror(err));
  return 2;
}

/* load_history(path, max) -> true | nil, message: makes the directory,
** keeps at most max entries, reads the file if there is one. */
static int l_load_history(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer max = luaL_checkinteger(L, 2);
  luaL_argcheck(L, max >= 1 && max <= 1000000, 2, "history length must be 1..1000000");
  stifle_history((int)max);
  int err = make_parents(path);
  if (err != 0) return fail(L, "cannot create the directory of", path, err);
  if (access(path, F_OK) == 0 && (err = read_history(path)) != 0) return fail(L, "cannot read", path, err);
  lua_pushboolean(L, 1);
  return 1;
}

/* add_history(line, path, max) -> true | nil, message: adds the line to the
** session's history and appends it to the file, cut to max lines. */
static int l_add_history(lua_State *L) {
  const char *line = luaL_checkstring(L, 1);
  const char *path = luaL_optstring(L, 2, NULL);
  lua_Integer max = luaL_optinteger(L, 3, 1000);
  int err;
  add_history(line);
  if (path == NULL) return lua_pushboolean(L, 1), 1;
  if (access(path, F_OK) != 0) {   /* append_history needs the file */
    FILE *f = fopen(path, "a");
    if (f == NULL) return fail(L, "cannot create", path, errno);
    fclose(f);
  }
  if ((err = append_history(1, path)) != 0) return fail(L, "cannot write", path, err);
  if ((err = history_truncate_file(path, (int)(max < 1 ? 1 : max))) != 0) return fail(L, "cannot trim", path, err);
  lua_pushboolean(L, 1);
  return 1;
}

/* ---- running a chunk ------------------------------------------------------ */

static lua_State *running_L;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted");
}

/* lua_sethook is the one Lua call that is safe in a signal handler. */
static void on_sigint_running(int sig) {
  (void)sig;
  lua_sethook(running_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* pcall(f, msgh, ...) -> true, results... | false, error: like xpcall, but
** Ctrl-C while f runs raises "interrupted" in it instead of ending the
** process. */
static int l_pcall(lua_State *L) {
  struct sigaction old;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_State *outer = running_L;
  lua_pushvalue(L, 2);
  lua_insert(L, 1);   /* msgh, f, msgh, args... */
  lua_remove(L, 3);
  running_L = L;
  int installed = install(on_sigint_running, &old) == 0;
  int st = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
  if (installed) sigaction(SIGINT, &old, NULL);
  lua_sethook(L, NULL, 0, 0);   /* a Ctrl-C that came too late to fire */
  running_L = outer;
  lua_pushboolean(L, st == LUA_OK);
  lua_replace(L, 1);
  return lua_gettop(L);
}

/* isatty(): whether standard input and output are a terminal. */
static int l_isatty(lua_State *L) {
  lua_pushboolean(L, isatty(0) && isatty(1));
  return 1;
}

static const luaL_Reg functions[] = {
  {"readline", l_readline}, {"set_completer", l_set_completer}, {"load_history", l_load_history},
  {"add_history", l_add_history}, {"pcall", l_pcall}, {"isatty", l_isatty}, {NULL, NULL}
};

int luaopen_lunet_readline(lua_State *L) {
  rl_readline_name = "lunet";
  rl_catch_signals = 0;
  /* a word runs over dots and colons, so "lunet.ran" completes as a whole */
  rl_completer_word_break_characters = " \t\n\"\\'`@$><=;|&{(,+-*/%^~#)}[]";
  rl_completer_quote_characters = NULL;
  rl_attempted_completion_function = attempt;
  rl_variable_bind("show-all-if-ambiguous", "on");   /* one Tab lists; ~/.inputrc may say otherwise */
  using_history();
  /* a chunk of several lines comes back from the file as one entry */
  history_comment_char = '#';   /* timestamps are "#<seconds>" lines */
  history_write_timestamps = 1;
  history_multiline_entries = 1;
  luaL_newlib(L, functions);
  lua_pushstring(L, rl_library_version ? rl_library_version : "?");
  lua_setfield(L, -2, "version");
  return 1;
}
