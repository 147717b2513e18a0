-- tools/mutants.lua: mutation testing for lunet (`make mutants`).
--
-- Copies the repository to build/mut-tree (the worktree's sources are never
-- touched), draws mutation sites with a seeded generator across csrc/ and
-- lua/lunet/, and for each one applies a single small change, rebuilds the
-- module there, runs the spec files one at a time (the ones most likely to
-- fail first), stops at the first failing file, restores the source and
-- goes on. A mutant survives only when every spec file passes. The 8
-- likeliest files run one at a time, the rest in one busted process (each
-- process's start-up would otherwise dominate a survivor's time).
--
-- Environment: MUTANTS (100: how many mutants that build are run),
-- MUTANT_SEED (1), MUTANT_FILES (a Lua pattern: only sources whose path
-- matches), MUTANT_KEYS (a file of mutant keys, one a line: run exactly those,
-- e.g. build/mutants-survivors.txt), MUTANT_SKIP_SPECS (space-separated spec
-- names left out; default the example smoke runs and the install check),
-- MUTANT_TREE (another scratch directory, so that two runs can go at once),
-- MUTANT_TIMES (the <tree>-times.txt an earlier run over the same sources
-- and specs wrote: its baseline is taken instead of measured again, so a
-- second run can share out the keys of a first).
-- A spec file may take 4 times its baseline time, or 15 s; one that takes
-- longer is run again with 20 times (120 s at least, 10 minutes more than
-- the first limit at most) before the mutant
-- counts as a timeout, so a machine busy with other jobs kills nothing.
-- Known-equivalent mutants are listed in tools/mutants_equivalent.txt as
-- `key  reason`; the report keeps them out of the kill rate.

local ROOT = arg[1] or "."

-- A whole number from the environment (make mutants MUTANTS=20): unset or
-- empty is the default; anything else that is not one stops the run here,
-- rather than a run of the default size on a misspelt value.
local function whole_env(name, default, least)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  local n = math.tointeger(tonumber(v))
  if n == nil or (least and n < least) then
    local bound = least and " >= " .. least or ""
    io.stderr:write(("mutants: %s must be a whole number%s, got '%s'\n"):format(name, bound, v))
    os.exit(2)
  end
  return n
end

local N = whole_env("MUTANTS", 100, 1)
local SEED = whole_env("MUTANT_SEED", 1)
local FILES = os.getenv("MUTANT_FILES")
local KEYS = os.getenv("MUTANT_KEYS")
local SKIP = os.getenv("MUTANT_SKIP_SPECS") or "examples_spec install_spec"
local TREE = os.getenv("MUTANT_TREE") or ROOT .. "/build/mut-tree"
-- the tree is entered with cd, so a relative MUTANT_TREE is made absolute
if TREE:sub(1, 1) ~= "/" then TREE = io.popen("pwd"):read("l") .. "/" .. TREE end
local EQUIV = ROOT .. "/tools/mutants_equivalent.txt"
-- a second tree (MUTANT_TREE) keeps its report beside it, so two runs never mix
local REPORT = os.getenv("MUTANT_TREE") and TREE .. "-report.txt" or ROOT .. "/build/mutants-report.txt"
local SURVIVORS = os.getenv("MUTANT_TREE") and TREE .. "-survivors.txt" or ROOT .. "/build/mutants-survivors.txt"

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function sh(cmd)
  local ok, _, code = os.execute(cmd)
  return ok == true, code
end

local function capture(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function writefile(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function lines_of(s)
  local t = {}
  for l in (s .. (s:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do t[#t + 1] = l end
  return t
end

local function now() return tonumber(capture("date +%s.%N")) end

---------------------------------------------------------------------------
-- Masking: each line with comments and string contents blanked (same
-- length), so operators are only found in code.

-- A quoted string from column i (its quote c), blanked but for the quotes;
-- returns the masked text and the column after it.
local function mask_quoted(line, i, c)
  local j = i + 1
  while j <= #line and line:sub(j, j) ~= c do
    if line:sub(j, j) == "\\" then j = j + 1 end
    j = j + 1
  end
  return c .. (" "):rep(math.max(0, math.min(j, #line + 1) - i - 1)) .. (j <= #line and c or ""), j + 1
end

local function mask_c(lines)
  local out, inblock = {}, false
  for n, line in ipairs(lines) do
    local buf, i = {}, 1
    while i <= #line do
      if inblock then
        local e = line:find("*/", i, true)
        if e then
          buf[#buf + 1] = (" "):rep(e + 2 - i); i = e + 2; inblock = false
        else
          buf[#buf + 1] = (" "):rep(#line - i + 1); i = #line + 1
        end
      else
        local c, c2 = line:sub(i, i), line:sub(i, i + 1)
        if c2 == "/*" then
          inblock = true; buf[#buf + 1] = "  "; i = i + 2
        elseif c2 == "//" then
          buf[#buf + 1] = (" "):rep(#line - i + 1); i = #line + 1
        elseif c == '"' or c == "'" then
          buf[#buf + 1], i = mask_quoted(line, i, c)
        else
          buf[#buf + 1] = c; i = i + 1
        end
      end
    end
    out[n] = table.concat(buf)
  end
  return out
end

local function mask_lua(lines)
  local out, close = {}, nil   -- close: the "]==]" that ends a long string/comment
  for n, line in ipairs(lines) do
    local buf, i = {}, 1
    while i <= #line do
      if close then
        local s, e = line:find(close, i, true)
        if s then
          buf[#buf + 1] = (" "):rep(e - i + 1); i = e + 1; close = nil
        else
          buf[#buf + 1] = (" "):rep(#line - i + 1); i = #line + 1
        end
      else
        local c = line:sub(i, i)
        local lq = line:match("^%[(=*)%[", i)
        if line:sub(i, i + 1) == "--" then
          local lc = line:match("^%-%-%[(=*)%[", i)
          if lc then
            close = "]" .. lc .. "]"
            buf[#buf + 1] = (" "):rep(4 + #lc); i = i + 4 + #lc
          else
            buf[#buf + 1] = (" "):rep(#line - i + 1); i = #line + 1
          end
        elseif lq then
          close = "]" .. lq .. "]"
          buf[#buf + 1] = '"' .. (" "):rep(1 + #lq); i = i + 2 + #lq
        elseif c == '"' or c == "'" then
          buf[#buf + 1], i = mask_quoted(line, i, c)
        else
          buf[#buf + 1] = c; i = i + 1
        end
      end
    end
    out[n] = table.concat(buf)
  end
  return out
end

---------------------------------------------------------------------------
-- Which lines are left alone: preprocessor lines, lines that raise or
-- format an error (and the continuation lines of such a call), resource
-- releases (only a leak checker sees them), declarations without a value.

local ERR_C = { "ln_fail%s*%(", "luaL_error", "luaL_argerror", "luaL_typeerror", "lua_error",
  "snprintf", "fprintf", "ln_errmsg" }
local ERR_LUA = { "%f[%w_]error%s*%(" }
local C_TYPES = {
  int = true, char = true, float = true, double = true, void = true, long = true, short = true,
  unsigned = true, signed = true, const = true, static = true, struct = true, enum = true,
  real = true, size_t = true, int64_t = true, uint64_t = true, int32_t = true, uint32_t = true,
  uint8_t = true, int16_t = true, uint16_t = true, uint8 = true, bool = true, inline = true,
  typedef = true, extern = true, FILE = true, volatile = true, ptrdiff_t = true,
}
local KEYWORDS = {
  ["return"] = true, case = true, ["and"] = true, ["or"] = true, ["not"] = true, ["then"] = true,
  ["do"] = true, ["else"] = true, ["in"] = true, ["if"] = true, ["while"] = true, ["until"] = true,
  ["local"] = true, sizeof = true, ["elseif"] = true,
}

local function depth(s)
  local d = 0
  for ch in s:gmatch("[%(%)%[%]{}]") do
    if ch == "(" or ch == "[" or ch == "{" then d = d + 1 else d = d - 1 end
  end
  return d
end

local function is_type_word(w)
  return w and (C_TYPES[w] or w:match("_t$") or w:match("^ln_[%w_]+$") and not w:match("%(")) and true
end

-- Marks each line as mutable or not.
local function skipped_lines(masked, lang)
  local skip, cont, pre = {}, 0, false
  local errs = lang == "c" and ERR_C or ERR_LUA
  for n, m in ipairs(masked) do
    local s = false
    if lang == "c" and (pre or m:match("^%s*#")) then
      s = true
      pre = m:match("\\%s*$") ~= nil
    end
    if cont > 0 then
      s = true
      cont = cont + depth(m)
    else
      for _, p in ipairs(errs) do
        local at = m:find(p)
        if at then
          s = true
          cont = depth(m:sub(at))
          break
        end
      end
    end
    if lang == "c" and not s then
      -- a declaration or function header without a value
      local w1 = m:match("^%s*([%a_][%w_]*)")
      if is_type_word(w1) and not m:find("[^=!<>]=[^=]") then s = true end
      if m:match("^%s*static") or m:match("^%a") then s = true end   -- function headers
    end
    if lang == "c" and m:match("%f[%w_]free%s*%(") or m:match("_free%s*%(") or
       m:match("_release%s*%(") or m:match("fclose%s*%(") or m:match("_destroy%s*%(") or
       m:match("_unref%s*%(") or m:match("_close%s*%(") then
      s = true
    end
    skip[n] = s
  end
  return skip
end

---------------------------------------------------------------------------
-- Mutation operators. Each gives {col, orig, repl, kind}.

local REL = { ["<"] = "<=", ["<="] = "<", [">"] = ">=", [">="] = ">" }
local ARITH = { ["+"] = "-", ["-"] = "+", ["*"] = "/", ["/"] = "*",
  ["+="] = "-=", ["-="] = "+=", ["*="] = "/=", ["/="] = "*=" }

local function prev_word(m, i)
  return m:sub(1, i - 1):match("([%a_][%w_]*)%s*$")
end

local function operand_before(m, i)
  local before = m:sub(1, i - 1):match("(%S)%s*$")
  if not before or not before:match("[%w_%)%]\"']") then return false end
  local w = prev_word(m, i)
  if w and KEYWORDS[w] and m:sub(1, i - 1):match("[%a_][%w_]*%s*$") then return false end
  -- an exponent: 1e-5
  if m:sub(1, i - 1):match("%d[eE]$") then return false end
  return true
end

local function operators(m, lang, out)
  local i = 1
  while i <= #m do
    local three, two, one = m:sub(i, i + 2), m:sub(i, i + 1), m:sub(i, i)
    if three == "<<=" or three == ">>=" or three == "..." then
      i = i + 3
    elseif two == "<<" or two == ">>" or two == "->" or two == "++" or two == "--" or two == "//" or
           two == ".." or two == "&&" or two == "||" or two == "::" then
      if lang == "c" and (two == "&&" or two == "||") then
        out[#out + 1] = { i, two, two == "&&" and "||" or "&&", "logic" }
      end
      i = i + 2
    elseif two == "==" then
      out[#out + 1] = { i, "==", lang == "c" and "!=" or "~=", "rel" }; i = i + 2
    elseif two == "!=" or two == "~=" then
      out[#out + 1] = { i, two, "==", "rel" }; i = i + 2
    elseif REL[two] then
      out[#out + 1] = { i, two, REL[two], "rel" }; i = i + 2
    elseif lang == "c" and ARITH[two] then
      out[#out + 1] = { i, two, ARITH[two], "arith" }; i = i + 2
    elseif one == "<" or one == ">" then
      if not (lang == "lua" and (m:match("^<const>", i) or m:match("^<close>", i) or
              m:sub(1, i - 1):match("<%a+$"))) then
        out[#out + 1] = { i, one, REL[one], "rel" }
      end
      i = i + 1
    elseif ARITH[one] and m:sub(i + 1, i + 1) ~= "=" then
      local after = m:sub(i + 1, i + 1)
      local ok = operand_before(m, i) and after ~= ")" and after ~= ","
      if ok and one == "*" and lang == "c" then
        -- a pointer declarator or cast, not a product
        local w = prev_word(m, i)
        ok = not (m:sub(1, i - 1):match("[%a_][%w_]*%s*$") and is_type_word(w))
        ok = ok and (after:match("%s") ~= nil or m:sub(i - 1, i - 1):match("[%)%]%d]") ~= nil)
      end
      if ok then out[#out + 1] = { i, one, ARITH[one], "arith" } end
      i = i + 1
    else
      i = i + 1
    end
  end
end

-- Constant arguments that are only sizing hints: lua_createtable's
-- preallocation, and a userdata's user-value count of 0 (made 1, an unused
-- slot; a count of 1 is used and stays a site), so changing one can never
-- change what lunet computes.
local function hint_argument(before, num)
  return before:match("lua_createtable%s*%([^()]*$") ~= nil or
    (num == "0" and before:match("lua_newuserdatauv%s*%([^()]*,[^()]*,%s*$") ~= nil)
end

-- The 0 of `x > 0 ? x : 1` or the 1 of `x > 1 ? x : 1` (at least 1): made 1
-- or 0, it gives the same value for every integer x.
local function clamp_zero(before, after, num)
  if num ~= "0" and num ~= "1" then return false end
  local a = before:match("([%w_%.%->%[%]]+)%s*>%s*$")
  local b = after:match("^%s*%?%s*([%w_%.%->%[%]]+)%s*:%s*1%f[^%w_%.]")
  return a ~= nil and a == b
end

local function constants(m, out)
  for s, num, e in m:gmatch("()%f[%w_%.]0*(%d+)%f[^%w_%.]()") do
    local before = m:sub(1, s - 1)
    local tok = m:sub(s, e - 1)
    if not before:match("[%d%.][eE][%+%-]?$") and not before:match("%[%s*$") and not hint_argument(before, num) and
       not clamp_zero(before, m:sub(e), num) then
      local n = tonumber(num)
      local r = n == 0 and 1 or n == 1 and 0 or n + 1
      out[#out + 1] = { s, tok, tostring(r), "const" }
    end
  end
end

local function booleans(m, lang, out)
  for s, w in m:gmatch("()%f[%w_]([%a_]+)%f[^%w_]") do
    if w == "true" then out[#out + 1] = { s, w, "false", "bool" }
    elseif w == "false" then out[#out + 1] = { s, w, "true", "bool" }
    elseif lang == "lua" and w == "and" then out[#out + 1] = { s, w, "or", "logic" }
    elseif lang == "lua" and w == "or" then out[#out + 1] = { s, w, "and", "logic" }
    end
  end
end

-- Calls whose two arguments can be swapped without any effect: symmetric
-- by definition (max, min, rawequal, a dot product of two vectors) or by
-- their code (ln_overlap, ln_same_shape, ln_same_layout compare both ways;
-- plot/term.lua's labeler reads only |hi - lo| and max(|lo|, |hi|)).
local EQUIV_CALLS = { max = true, min = true, fmax = true, fmin = true, ["math.max"] = true,
  ["math.min"] = true, MAX = true, MIN = true, rawequal = true, ["core.dot"] = true,
  ln_overlap = true, ln_same_shape = true, ln_same_layout = true, labeler = true }

local function swaps(m, out)
  for s, name, args in m:gmatch("()([%a_][%w_%.:]*)(%b())") do
    local a, b = args:match("^%(%s*([%w_%.]+)%s*,%s*([%w_%.]+)%s*%)$")
    if a and a ~= b and not EQUIV_CALLS[name] and not KEYWORDS[name] and not C_TYPES[name] then
      local at = s + #name
      out[#out + 1] = { at, args, "(" .. b .. ", " .. a .. ")", "swap" }
    end
  end
end

local function droppable(masked, n, lang)
  local m = masked[n]
  local t = m:match("^%s*(.-)%s*$")
  if t == "" or depth(m) ~= 0 then return false end
  local w1 = t:match("^([%a_][%w_]*)")
  if KEYWORDS[w1] or w1 == "for" or w1 == "switch" or w1 == "break" or w1 == "goto" or
     w1 == "function" or w1 == "end" or w1 == "continue" then
    return false
  end
  if lang == "c" then
    if not t:match(";$") or t:match("^[{}]") then return false end
    if is_type_word(w1) then return false end
    if t:match("^[%a_][%w_]*%s+%**[%a_]") then return false end   -- a declaration of some type
    if t:match("^[%w_%.%->%[%]%*%(%) ]-[%+%-%*/|&]?=[^=]") then return true end
    if t:match("^[%w_]+%s*%b()%s*;$") then return true end
    if t:match("^[%w_%.%->%[%]]+%s*%+%+;$") or t:match("^[%w_%.%->%[%]]+%s*%-%-;$") then return true end
    return false
  else
    local nxt
    for k = n + 1, #masked do
      if masked[k]:match("%S") then nxt = masked[k]:match("^%s*(.*)$"); break end
    end
    if nxt and (nxt:match("^[%.%+%-%*/,%)%]}=<>~%^%%:]") or nxt:match("^and%f[^%w_]") or
                nxt:match("^or%f[^%w_]")) then
      return false
    end
    if t:match("[,%(%{=%+%-%*/]$") or t:match("%f[%w_]and$") or t:match("%f[%w_]or$") or
       t:match("%.%.$") then
      return false
    end
    if t:match("^[%w_%.%[%]\"']+%s*=%s*[^=]") and not t:match("^local%f[^%w_]") then return true end
    if t:match("^[%w_%.%[%]:\"']+%s*%b()$") then return true end
    return false
  end
end

local function candidates(path)
  local lang = path:match("%.lua$") and "lua" or "c"
  local lines = lines_of(readfile(ROOT .. "/" .. path))
  local masked = (lang == "c" and mask_c or mask_lua)(lines)
  local skip = skipped_lines(masked, lang)
  local out = {}
  for n, m in ipairs(masked) do
    if not skip[n] and m:match("%S") then
      local here = {}
      operators(m, lang, here)
      constants(m, here)
      booleans(m, lang, here)
      swaps(m, here)
      for _, c in ipairs(here) do
        out[#out + 1] = { path = path, line = n, col = c[1], orig = c[2], repl = c[3], kind = c[4] }
      end
      if droppable(masked, n, lang) then
        local ind = lines[n]:match("^(%s*)")
        out[#out + 1] = { path = path, line = n, col = #ind + 1, orig = "stmt", repl = "drop",
          kind = "drop" }
      end
    end
  end
  return out, lines
end

local function key(c)
  return ("%s:%d:%d:[%s]->[%s]"):format(c.path, c.line, c.col, (c.orig:gsub("%s", "")), (c.repl:gsub("%s", "")))
end

local function apply(c, lines)
  local t = {}
  for i, l in ipairs(lines) do t[i] = l end
  local l = t[c.line]
  if c.kind == "drop" then
    t[c.line] = l:match("^(%s*)") .. (c.path:match("%.lua$") and "" or ";")
  else
    assert(l:sub(c.col, c.col + #c.orig - 1) == c.orig, "site moved: " .. key(c))
    t[c.line] = l:sub(1, c.col - 1) .. c.repl .. l:sub(c.col + #c.orig)
  end
  return table.concat(t, "\n") .. "\n"
end

---------------------------------------------------------------------------
-- The scratch tree and its build.

local function setup_tree()
  assert(sh("rm -rf " .. q(TREE) .. " && mkdir -p " .. q(TREE)))
  assert(sh(("cd %s && tar --exclude=./build --exclude=./.git --exclude=./lunet/core.so -cf - . | (cd %s && tar xf -)")
    :format(q(ROOT), q(TREE))), "copy failed")
  -- headers look old so that only the objects that include a mutated one
  -- are rebuilt (their objects are removed by hand)
  assert(sh("cd " .. q(TREE) .. " && mkdir -p build && touch -d 2000-01-01 csrc/*.h csrc/real/*.inc"))
end

local BUILD_LOG = TREE .. "/build/mut-build.log"
local function build()
  return sh(("cd %s && make -s -j2 BUILD=build/mut SO=lunet/core.so all >%s 2>&1")
    :format(q(TREE), q(BUILD_LOG)))
end

-- .c files that include a header, directly or through another header.
local includers = {}
local function dependents(path)
  if includers[path] then return includers[path] end
  local all = capture("cd " .. q(ROOT) .. " && ls csrc/*.c csrc/*.h csrc/real/*.inc")
  local graph = {}
  for f in all:gmatch("%S+") do
    for inc in readfile(ROOT .. "/" .. f):gmatch('#include%s+"([^"]+)"') do
      local p = "csrc/" .. inc
      graph[p] = graph[p] or {}
      table.insert(graph[p], f)
    end
  end
  local seen, res = {}, {}
  local function walk(p)
    for _, f in ipairs(graph[p] or {}) do
      if not seen[f] then
        seen[f] = true
        if f:match("%.c$") then res[#res + 1] = f else walk(f) end
      end
    end
  end
  walk(path)
  includers[path] = res
  return res
end

local function put_source(path, text)
  writefile(TREE .. "/" .. path, text)
  if path:match("%.h$") or path:match("%.inc$") then
    sh("touch -d 2000-01-01 " .. q(TREE .. "/" .. path))
    for _, c in ipairs(dependents(path)) do
      os.remove(TREE .. "/build/mut/" .. c:match("([^/]+)%.c$") .. ".o")
    end
  end
end

---------------------------------------------------------------------------
-- Specs.

local function spec_files()
  local t = {}
  for f in capture("cd " .. q(TREE) .. " && ls spec/*_spec.lua"):gmatch("%S+") do
    local name = f:match("([%w_]+)%.lua$")
    if not (" " .. SKIP .. " "):find(" " .. name .. " ", 1, true) then t[#t + 1] = f end
  end
  return t
end

local ENV = ("LUA_PATH=%s LUA_CPATH=%s"):format(q(TREE .. "/lua/?.lua;" .. TREE .. "/lua/?/init.lua;;"),
  q(TREE .. "/?.so;;"))

-- "pass", "fail" or "timeout"
local function run_spec(spec, limit)
  local ok, code = sh(("cd %s && %s timeout -k 2 %d busted --lua=lua5.4 -o TAP %s >%s 2>&1")
    :format(q(TREE), ENV, math.ceil(limit), spec, q(TREE .. "/build/mut-spec.log")))
  if ok then return "pass" end
  if code == 124 or code == 137 then return "timeout" end
  return "fail"
end

-- Several spec files in one busted process, stopping at the first failure:
-- "pass", "timeout" or the failing file ("fail" when the log names none).
-- One process instead of one per file saves the interpreter's, busted's
-- and the module's start-up for each file, which dominates a survivor's
-- time on a loaded machine.
local function run_batch(list, limit)
  local r = run_spec("--no-keep-going " .. table.concat(list, " "), limit)
  if r ~= "fail" then return r end
  local log = readfile(TREE .. "/build/mut-spec.log")
  return log:match("\n# (spec/[%w_]+%.lua) @") or "fail"
end

-- Files run one at a time first (the most likely to kill); the rest together.
local ALONE = 8

local function tokens_of(path)
  local base = path:match("([%w_]+)%.%w+$"):gsub("^lua_", ""):gsub("^kern_f%d+", "")
  local t = { base }
  if base == "nn" or base == "layer" or base == "dense" or base == "act" or base == "dropout" or
     base == "batchnorm" or base == "reshape" or base == "net" or base == "sequential" or
     base == "module" then
    t[#t + 1] = "nn_layers"; t[#t + 1] = "train"
  end
  if base == "blas" then t[#t + 1] = "linalg" end
  if base == "tensor" or base == "tensorops" or base == "ops" or base == "iter" then
    t[#t + 1] = "tensor"
  end
  if base == "train" or base == "optim" or base == "network" then t[#t + 1] = "train" end
  if base == "model" or base == "fileio" then t[#t + 1] = "model_io" end
  if base == "data" or base == "expand" then t[#t + 1] = "data"; t[#t + 1] = "expand" end
  if base == "term" or base == "svg" then t[#t + 1] = "plot" end
  return t
end

local kills_file, kills_all = {}, {}
local function order_specs(specs, times, path)
  local toks = tokens_of(path)
  local kf = kills_file[path] or {}
  local function score(s)
    local sc = 3 * (kf[s] or 0) + (kills_all[s] or 0) / 10
    for _, tk in ipairs(toks) do
      if tk ~= "" and s:find(tk, 1, true) then sc = sc + 2; break end
    end
    return sc
  end
  local t = {}
  for i, s in ipairs(specs) do t[i] = s end
  table.sort(t, function(a, b)
    local sa, sb = score(a) / (times[a] + 1), score(b) / (times[b] + 1)
    if sa ~= sb then return sa > sb end
    return times[a] < times[b]
  end)
  return t
end

---------------------------------------------------------------------------

local function source_files()
  return capture("cd " .. q(ROOT) .. " && ls csrc/*.c csrc/*.h csrc/real/*.inc && find lua/lunet -name '*.lua' | sort")
end

local function main()
  local t0 = now()
  local equiv = {}
  local ef = io.open(EQUIV)
  if ef then
    for l in ef:lines() do
      local k, why = l:match("^(%S+)%s+(.-)%s*$")
      if k and not l:match("^%s*#") then equiv[k] = why end
    end
    ef:close()
  end

  if os.getenv("MUTANT_DRY") then
    local files = source_files()
    local all = {}
    for f in files:gmatch("%S+") do
      if not FILES or f:match(FILES) then
        local cs, lines = candidates(f)
        for _, c in ipairs(cs) do
          all[#all + 1] = c
          local m = apply(c, lines)
          local nl = lines_of(m)[c.line]
          print(key(c), c.kind, "|", lines[c.line], "=>", nl)
        end
      end
    end
    print(#all .. " sites")
    return
  end
  setup_tree()
  print("mutants: building the scratch tree " .. TREE)
  assert(build(), "the unmutated tree does not build; see " .. BUILD_LOG)

  local specs = spec_files()
  local times = {}
  local given = os.getenv("MUTANT_TIMES")
  if given then
    -- another run over the same tree measured them (and checked it passes)
    for l in io.lines(given) do
      local s, t = l:match("^(%S+)%s+([%d.]+)")
      if s then times[s] = tonumber(t) end
    end
    for _, s in ipairs(specs) do assert(times[s], "MUTANT_TIMES has no time for " .. s) end
    print(("mutants: %d spec files, baseline times from %s"):format(#specs, given))
  end
  if not given then
    print(("mutants: baseline run of %d spec files (skipped: %s)"):format(#specs, SKIP))
    for _, s in ipairs(specs) do
      local a = now()
      local r = run_spec(s, 600)
      times[s] = now() - a
      if r ~= "pass" then
        error(("%s does not pass on the unmutated tree (%s); see %s/build/mut-spec.log"):format(s, r, TREE))
      end
    end
    local suite = 0
    for _, s in ipairs(specs) do suite = suite + times[s] end
    print(("mutants: baseline suite %.1f s"):format(suite))
    -- the files run together after the first ALONE must pass together too
    if run_batch(specs, 20 * suite + 60) ~= "pass" then
      error(("the spec files do not pass when run in one busted; see %s/build/mut-spec.log"):format(TREE))
    end
    local tf = assert(io.open(TREE .. "-times.txt", "w"))
    for _, s in ipairs(specs) do tf:write(("%s %.2f\n"):format(s, times[s])) end
    tf:close()
  end

  -- all sites, then a seeded shuffle
  local files = source_files()
  local all, sources = {}, {}
  for f in files:gmatch("%S+") do
    if not FILES or f:match(FILES) then
      local cs, lines = candidates(f)
      sources[f] = lines
      for _, c in ipairs(cs) do all[#all + 1] = c end
    end
  end
  local pick
  if KEYS then
    local want = {}
    for l in io.lines(KEYS) do
      local k = l:match("^(%S+)")
      if k then want[k] = true end
    end
    pick = {}
    for _, c in ipairs(all) do if want[key(c)] then pick[#pick + 1] = c end end
  else
    math.randomseed(SEED)
    for i = #all, 2, -1 do
      local j = math.random(i)
      all[i], all[j] = all[j], all[i]
    end
    pick = all
  end
  print(("mutants: %d sites; running %d, seed %d"):format(#all, KEYS and #pick or N, SEED))

  local res = { killed = {}, timeout = {}, survived = {}, stillborn = {}, equivalent = {} }
  local done = 0
  for _, c in ipairs(pick) do
    if not KEYS and done >= N then break end
    local k = key(c)
    local lines = sources[c.path]
    local orig = table.concat(lines, "\n") .. "\n"
    local t1 = now()
    put_source(c.path, apply(c, lines))
    local status, by
    local okb, err = pcall(function()
      if not build() then status = "stillborn"; return end
      done = done + 1
      status = "survived"
      local function killed(r, s)
        status = r == "timeout" and "timeout" or "killed"
        by = s
        kills_file[c.path] = kills_file[c.path] or {}
        kills_file[c.path][s] = (kills_file[c.path][s] or 0) + 1
        kills_all[s] = (kills_all[s] or 0) + 1
      end
      local order = order_specs(specs, times, c.path)
      for i = 1, math.min(ALONE, #order) do
        local s = order[i]
        local r = run_spec(s, math.max(15, 4 * times[s]))
        -- A spec that outlives four times its baseline may only have met a
        -- busier machine (other jobs share the cores): it counts as a
        -- timeout only when it also outlives a far longer second run.
        if r == "timeout" then r = run_spec(s, math.max(120, math.min(20 * times[s], 4 * times[s] + 600))) end
        if r ~= "pass" then killed(r, s); return end
      end
      if #order > ALONE then
        local rest, t = {}, 0
        for i = ALONE + 1, #order do rest[#rest + 1] = order[i]; t = t + times[order[i]] end
        local r = run_batch(rest, math.max(30, 4 * t))
        if r == "timeout" then r = run_batch(rest, math.max(240, math.min(20 * t, 4 * t + 600))) end
        if r ~= "pass" then killed(r == "timeout" and "timeout" or "fail", r == "timeout" and "rest" or r) end
      end
    end)
    put_source(c.path, orig)   -- always restored
    if not okb then error(err) end
    if status ~= "stillborn" and equiv[k] then
      res.equivalent[#res.equivalent + 1] = { c = c, status = status, why = equiv[k] }
    end
    table.insert(res[status], { c = c, by = by })
    if status ~= "stillborn" then
      io.write(("[%3d] %-9s %s%s  (%.0f s)\n"):format(done, status, k, by and ("  by " .. by) or "", now() - t1))
    else
      io.write(("[   ] stillborn %s\n"):format(k))
    end
    io.flush()
  end
  build()   -- leave the tree's module unmutated

  -- report
  local nequiv_surv = 0
  local survivors = {}
  for _, r in ipairs(res.survived) do
    if equiv[key(r.c)] then nequiv_surv = nequiv_surv + 1 else survivors[#survivors + 1] = r end
  end
  local nk, nt = #res.killed, #res.timeout
  -- equivalent mutants count in no column of the rate, killed or not
  local nkilled_equiv = #res.equivalent - nequiv_surv
  local denom = nk + nt + #survivors - nkilled_equiv
  local rep = {}
  local function p(fmt, ...) rep[#rep + 1] = fmt:format(...) end
  p("mutation testing of lunet: seed %d, %d mutants run (%d stillborn skipped), %.0f s",
    SEED, done, #res.stillborn, now() - t0)
  p("killed %d, timeout %d, survived %d, equivalent %d (listed below)", nk, nt, #res.survived,
    #res.equivalent)
  p("kill rate over non-equivalent mutants: %d / %d = %.1f%%", nk + nt - nkilled_equiv, denom,
    denom > 0 and 100 * (nk + nt - nkilled_equiv) / denom or 0)
  p("survivors:")
  local sf = assert(io.open(SURVIVORS, "w"))
  for _, r in ipairs(survivors) do
    local c = r.c
    p("  %s  (%s)   %s", key(c), c.kind, sources[c.path][c.line]:match("^%s*(.-)%s*$"))
    sf:write(key(c), "\n")
  end
  sf:close()
  p("equivalent (not counted):")
  for _, r in ipairs(res.equivalent) do
    p("  %s  [%s]  %s", key(r.c), r.status, r.why)
  end
  local text = table.concat(rep, "\n") .. "\n"
  io.write("\n", text)
  writefile(REPORT, text)
  print("report in " .. REPORT .. ", survivors' keys in " .. SURVIVORS)
end

main()
