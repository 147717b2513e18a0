-- lunet.prompt: the interactive prompt that `lunet` (bin/lunet) starts.
--
-- A read-eval-print loop in the manner of lua.c, with what a Torch or
-- IPython user expects on top: line editing and history kept across
-- sessions (lunet/readline.so, a binding of GNU readline), tab completion
-- of Lua names (lunet.complete), values printed readably (lunet.repr),
-- help(x) and ?x (lunet.doc), and Ctrl-C that never ends the session: on
-- the input line it drops the line, while a chunk runs it raises
-- "interrupted", and during training (lunet.train, interruptible) it stops
-- at the end of the current mini-batch and returns what was learnt so far.
-- Without the readline module (or when input is not a terminal) lines are
-- read plainly from standard input.

local repr = require "lunet.repr"

-- Lua's globals and standard files as the prompt found them: a line may
-- replace them (load = lunet.load(path), io = nil) or redirect io.input and
-- io.output, and the prompt must still read its lines from standard input
-- and print, as lua's own prompt does.
local load, pcall, xpcall, tostring, type, require = load, pcall, xpcall, tostring, type, require
local rawget, rawset, pack, concat = rawget, rawset, table.pack, table.concat
local getinfo, traceback, rawmeta = debug.getinfo, debug.traceback, debug.getmetatable
local stdin, stdout, stderr = io.stdin, io.stdout, io.stderr

local prompt = {}

local HISTORY_MAX = 1000
local PROMPT, MORE = "> ", ">> "

-- $XDG_STATE_HOME/lunet/history, else ~/.local/state/lunet/history.
local function history_path()
  local state = os.getenv("XDG_STATE_HOME")
  if state == nil or state:sub(1, 1) ~= "/" then
    local home = os.getenv("HOME")
    if home == nil or home == "" then return nil end
    state = home .. "/.local/state"
  end
  return state .. "/lunet/history"
end

-- A chunk that starts by declaring locals ("local t = lunet.randn(3, 4)",
-- "local function f() ... end") declares globals instead: each line typed
-- is a chunk of its own, so a local would be gone at the next line, and a
-- snippet pasted from a script would fail there. Locals with an attribute
-- (<const>, <close>), bare "local x" and locals named as one of Lua's own
-- globals are left as they are: a global "type" or "table" would replace
-- Lua's for lunet's code too ("local type = 'relu'" broke every type check).
local STANDARD = {}
for name in ([[_G _VERSION assert collectgarbage coroutine debug dofile error getmetatable io ipairs load loadfile
  math next os package pairs pcall print rawequal rawget rawlen rawset require select setmetatable string table
  tonumber tostring type utf8 warn xpcall]]):gmatch("%S+") do
  STANDARD[name] = true
end

local function globalize(source)
  local head, rest = source:match("^(%s*)local%s+(.*)$")
  if not head then return source end
  local fname = rest:match("^function%s+([%a_][%w_]*)%s*%(")
  if fname then return STANDARD[fname] and source or head .. rest end
  local names = rest:match("^([^=<]-)=[^=]")
  if not names then return source end
  for name in (names .. ","):gmatch("([^,]*),") do
    name = name:match("^%s*([%a_][%w_]*)%s*$")
    if not name or STANDARD[name] then return source end
  end
  return head .. rest
end

-- "?t:reshape" asks for the method: help(t.reshape). The ")" goes on a
-- line of its own when a trailing comment ("?x -- why") would swallow it.
local function help_source(topic)
  local call = "help(" .. topic:gsub("^(%s*[%a_][%w_.]*):([%a_][%w_]*%s*)$", "%1.%2")
  return topic:find("--", 1, true) and call .. "\n)" or call .. ")"
end

--- prompt.compile(source) -> function | nil, message | nil, "incomplete", message
-- Compiles what was typed as lua.c does: "=expr" and a bare expression
-- return their values; a statement runs; a chunk cut short (an error at
-- <eof>) is "incomplete" and waits for more lines (the message says what
-- is missing). "?x" is help(x) ("?t:m" is help(t.m)). Unlike lua.c, a chunk
-- that starts with "local x = ..." or "local function f" defines globals,
-- so they last beyond the line (not for names of Lua's own globals, such
-- as type or table, which stay local).
function prompt.compile(source)
  local topic = source:match("^%s*%?(.*)$")
  if topic then source = help_source(topic) end
  source = globalize(source:gsub("^%s*=", "return ", 1))
  local f, err1 = load("return " .. source, "=stdin", "t")
  -- run with the values passed through a function, not as a tail call, so
  -- the chunk stays on the stack and an error is placed at its line
  -- (stdin:1:), not at the prompt's; the ")" goes on a line of its own
  -- only when a trailing comment would swallow it (Lua places an index
  -- error on the line where the argument list closes)
  if f then
    local pass = "return (function(...) return ... end)("
    return load(pass .. source .. ")", "=stdin", "t") or load(pass .. source .. "\n)", "=stdin", "t") or f
  end
  local g, err = load(source, "=stdin", "t")
  if g then return g end
  -- "1 +" is an expression cut short, "for i = 1, 2 do" a statement
  if err:match("<eof>$") then return nil, "incomplete", err end
  if err1:match("<eof>$") then return nil, "incomplete", err1 end
  return nil, err
end

-- lunet's own Lua files: "@<dir>/lunet/" as their chunks' sources begin.
local OWN = debug.getinfo(1, "S").source:match("^(@.*[/\\]lunet[/\\])prompt%.lua$")

-- Whether the stack from `level` up to the prompt passes through a Lua
-- function of the user's (typed at the prompt or in a file of theirs), not
-- only through lunet's own functions and main chunks.
local function through_users_function(level)
  while true do
    local info = getinfo(level + 1, "S")
    if info == nil or (OWN and info.source == OWN .. "prompt.lua") then return false end
    if info.what == "Lua" and not (OWN and info.source:sub(1, #OWN) == OWN) then return true end
    level = level + 1
  end
end

-- An error object as text, as lua.c says it: a string or a number, what
-- its __tostring returns, or which type it is (error(nil), error({})).
local function message_of(e)
  local ty = type(e)
  if ty == "string" or ty == "number" then return tostring(e) end
  local mt = rawmeta(e)
  if type(mt) == "table" and rawget(mt, "__tostring") ~= nil then
    local ok, s = pcall(tostring, e)
    if ok then return s end
  end
  return "(error object is a " .. ty .. " value)"
end

-- The traceback up to the prompt's own frames (the user's part only), or
-- the message alone when the error passed through none of the user's
-- functions (lunet.Network{784, inti = 1} typed at the prompt).
local function message_handler(e)
  local msg = message_of(e)
  if msg:match("interrupted!?$") then return "interrupted" end
  if not through_users_function(2) then return msg end
  local tb, kept = traceback(msg, 2), {}
  for line in tb:gmatch("[^\n]+") do
    if line:match("lunet/prompt%.lua") or line:match("in function 'lunet%.readline%.pcall'")
      or line:match("%[C%]: in function 'xpcall'") then
      break
    end
    kept[#kept + 1] = line
  end
  return concat(kept, "\n")
end

--- prompt.show(...)
-- Prints values as the prompt does: each on a line of its own (lunet.repr).
function prompt.show(...)
  -- packed, not select(i, ...) each time: that copies the rest of the
  -- values, and printing table.unpack of 300,000 values took most of a minute
  local values = pack(...)
  for i = 1, values.n do
    stdout:write(repr.value(values[i]), "\n")
  end
end

local function show_error(session, ok, err)
  if not ok then
    local msg = message_of(err)
    -- the terminal echoed "^C" where the output stood
    if msg == "interrupted" and session.tty then msg = "\n" .. msg end
    stdout:flush()
    stderr:write(msg, "\n")
  end
  stdout:flush()
end

-- Line editing if lunet/readline.so loads and we talk to a terminal.
local function open_editor(session)
  local ok, rl = pcall(require, "lunet.readline")
  if not ok then
    if session.tty ~= false then
      stderr:write("lunet: no line editing, history or completion (", tostring(rl):match("^[^\n]*"),
        "); reading plain lines\n")
    end
    return nil
  end
  session.tty = rl.isatty()
  if not session.tty then return nil end
  rl.set_completer(function(word) return require("lunet.complete").candidates(word) end)
  local path = session.history
  if path then
    local loaded, err = rl.load_history(path, HISTORY_MAX)
    if not loaded then
      stderr:write("lunet: history not kept (", err, ")\n")
      session.history = nil
    end
  end
  return rl
end

local function read_line(session, text)
  if session.rl then return session.rl.readline(text) end
  if session.tty ~= false then
    stdout:write(text)
    stdout:flush()
  end
  local line = stdin:read("L")
  return line and (line:gsub("\r?\n$", ""))
end

local function remember(session, chunk)
  if not session.rl or not chunk:match("%S") or chunk == session.last then return end
  session.last = chunk
  local ok, err = session.rl.add_history(chunk, session.history, HISTORY_MAX)
  if not ok and not session.history_failed then
    session.history_failed = true   -- said once, then history stays in memory only
    stderr:write("lunet: history not saved (", err, ")\n")
  end
end

-- The values print inside the protected call too: a Ctrl-C while a slow
-- __tostring or a big table prints stops the printing as it stops a chunk
-- (outside it, lua.c's handler caught the first and the second ended the
-- session).
local function run_chunk(session, f)
  local function run() prompt.show(f()) end
  if session.rl then
    show_error(session, session.rl.pcall(run, message_handler))
  else
    show_error(session, xpcall(run, message_handler))
  end
end

-- Reads, compiles and runs one chunk (several lines when incomplete).
-- Returns true at the end of input.
local function step(session)
  local chunk, missing
  while true do
    local line = read_line(session, chunk and MORE or PROMPT)
    if line == nil then
      stdout:write("\n")
      -- a chunk cut short by the end of input says so (lua.c drops it
      -- silently, and the end of a piped session went unnoticed)
      if missing then
        stdout:flush()
        stderr:write(missing, "\n")
      end
      return true
    end
    if line == false then   -- Ctrl-C (shown by readline): the line and any pending chunk are dropped
      return false
    end
    chunk = chunk and chunk .. "\n" .. line or line
    local f, err
    f, err, missing = prompt.compile(chunk)
    if err ~= "incomplete" then
      remember(session, chunk)
      if f then
        run_chunk(session, f)
      else
        stdout:flush()
        stderr:write(err, "\n")
      end
      return false
    end
  end
end

--- prompt.run()
-- The lunet prompt: reads chunks until end of input (Ctrl-D). Sets the
-- globals `lunet` and `help`, and makes training stop on Ctrl-C
-- (lunet.train.interruptible).
function prompt.run()
  local lunet = require "lunet"
  rawset(_G, "lunet", rawget(_G, "lunet") or lunet)
  if rawget(_G, "help") == nil then rawset(_G, "help", require("lunet.doc").help) end
  require("lunet.train").interruptible = true
  local session = { history = history_path() }
  session.rl = open_editor(session)
  if session.tty ~= false then
    stdout:write(("lunet %s on %s: help() lists the modules, help(f) describes f, Tab completes, "
      .. "Ctrl-D quits\n"):format(lunet.version, _VERSION))
  end
  while true do
    local ok, done = pcall(step, session)
    if not ok then stderr:write(message_of(done), "\n") end
    if ok and done then break end
  end
end

return prompt
