-- Install with `luarocks --lua-version 5.4 make` (add --local or --tree DIR).
-- Needs Debian's liblua5.4-dev, libopenblas-dev, zlib1g-dev and libreadline-dev
-- (the prompt's line editing, lunet/readline.so) (`make deps`).
rockspec_format = "3.0"
package = "lunet"
version = "scm-1"
source = {
  url = "git+https://github.com/lunet/lunet.git",
}
description = {
  summary = "Deep learning for Lua 5.4 with a C core: tensors, networks, convolutions",
  detailed = [[
    Feedforward and convolutional networks trained with mini-batch SGD, the
    costs, regularisers and experiments of Nielsen's "Neural Networks and Deep
    Learning", on tensors whose loops are C and whose products are OpenBLAS.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
external_dependencies = {
  OPENBLAS = { library = "openblas" },
  ZLIB = { library = "z" },
  READLINE = { library = "readline" },
}
build = {
  type = "make",
  build_target = "all",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA_INC = "$(LUA_INCDIR)",
    LDFLAGS = "-L$(OPENBLAS_LIBDIR) -L$(ZLIB_LIBDIR) -L$(READLINE_LIBDIR)",
  },
  install_target = "rock-install",
  install_variables = {
    PREFIX = "$(PREFIX)",
    BINDIR = "$(BINDIR)",
    LIBDIR = "$(LIBDIR)",
    LUADIR = "$(LUADIR)",
  },
}
test = {
  type = "command",
  command = "make test",
}
