/*
** fuzz_json.c: libFuzzer harness for lunet's JSON decoder, which is Lua
** (lua/lunet/json.lua). An embedded Lua 5.4 state loads the module once
** and calls json.decode on each input inside pcall. The decoder refusing
** bad text with its own message ("json: ... at line L (byte B)") is fine;
** any other Lua error (a runtime error inside the decoder, a Lua stack
** overflow) is a finding, and so are a crash, a hang (libFuzzer's
** -timeout) and unbounded memory (-rss_limit_mb).
**
** The Lua interpreter is not instrumented, so libFuzzer cannot see which
** lines of the decoder ran. A line hook supplies that: each pair
** (previous line, line) of json.lua bumps a counter in the
** __libfuzzer_extra_counters section, which libFuzzer reads as coverage
** features after every input.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#ifndef LUNET_LUA_DIR
#error "build with -DLUNET_LUA_DIR=\"<repository>/lua\""
#endif

#define NCOUNTERS 4096

__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t counters[NCOUNTERS];

static lua_State *L;
static int prev_line;

static void line_hook(lua_State *Lh, lua_Debug *ar) {
  (void)Lh;
  unsigned edge = ((unsigned)prev_line * 131u + (unsigned)ar->currentline) % NCOUNTERS;
  counters[edge]++;
  prev_line = ar->currentline;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  L = luaL_newstate();
  if (L == NULL) abort();
  luaL_openlibs(L);
  const char *setup =
      "package.path = '" LUNET_LUA_DIR "/?.lua;" LUNET_LUA_DIR "/?/init.lua'\n"
      "return require('lunet.json').decode";
  if (luaL_dostring(L, setup) != LUA_OK) {
    fprintf(stderr, "fuzz_json: cannot load lunet.json: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_setfield(L, LUA_REGISTRYINDEX, "fuzz_json_decode");
  lua_sethook(L, line_hook, LUA_MASKLINE, 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int top = lua_gettop(L);
  prev_line = 0;
  lua_getfield(L, LUA_REGISTRYINDEX, "fuzz_json_decode");
  lua_pushlstring(L, (const char *)data, size);
  int st = lua_pcall(L, 1, 1, 0);
  if (st != LUA_OK && st != LUA_ERRMEM) {
    const char *msg = lua_tostring(L, -1);
    if (msg == NULL || strncmp(msg, "json: ", 6) != 0) {
      fprintf(stderr, "fuzz_json: json.decode failed with an error of its own: %s\n",
              msg ? msg : "(not a string)");
      abort();
    }
  }
  lua_settop(L, top);
  return 0;
}
