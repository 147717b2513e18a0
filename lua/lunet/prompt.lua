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
-- read plainly with io.read.

local repr = require "lunet.repr"

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
-- (<const>, <close>) and bare "local x" are left as they are.
local function globalize(source)
  local head, rest = source:match("^(%s*)local%s+(.*)$")
  if not head then return source end
  if rest:match("^function%s+[%a_][%w_]*%s*%(") then return head .. rest end
  local names = rest:match("^([^=<]-)=[^=]")
  if not names then return source end
  for name in (names .. ","):gmatch("([^,]*),") do
    if not name:match("^%s*[%a_][%w_]*%s*$") then return source end
  end
  return head .. rest
end

-- "?t:reshape" asks for the method: help(t.reshape).
local function help_source(topic)
  return "help(" .. topic:gsub("^(%s*[%a_][%w_.]*):([%a_][%w_]*%s*)$", "%1.%2") .. ")"
end

--- prompt.compile(source) -> function | nil, message | nil, "incomplete"
-- Compiles what was typed as lua.c does: "=expr" and a bare expression
-- return their values; a statement runs; a chunk cut short (an error at
-- <eof>) is "incomplete" and waits for more lines. "?x" is help(x) ("?t:m"
-- is help(t.m)). Unlike lua.c, a chunk that starts with "local x = ..." or
-- "local function f" defines globals, so they last beyond the line.
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
  if err:match("<eof>$") or err1:match("<eof>$") then return nil, "incomplete" end
  return nil, err
end

-- lunet's own Lua files: "@<dir>/lunet/" as their chunks' sources begin.
local OWN = debug.getinfo(1, "S").source:match("^(@.*[/\\]lunet[/\\])prompt%.lua$")

-- Whether the stack from `level` up to the prompt passes through a Lua
-- function of the user's (typed at the prompt or in a file of theirs), not
-- only through lunet's own functions and main chunks.
local function through_users_function(level)
  while true do
    local info = debug.getinfo(level + 1, "S")
    if info == nil or (OWN and info.source == OWN .. "prompt.lua") then return false end
    if info.what == "Lua" and not (OWN and info.source:sub(1, #OWN) == OWN) then return true end
    level = level + 1
  end
end

-- The traceback up to the prompt's own frames (the user's part only), or
-- the message alone when the error passed through none of the user's
-- functions (lunet.Network{784, inti = 1} typed at the prompt).
local function message_handler(e)
  local msg = tostring(e)
  if msg:match("interrupted!?$") then return "interrupted" end
  if not through_users_function(2) then return msg end
  local tb, kept = debug.traceback(msg, 2), {}
  for line in tb:gmatch("[^\n]+") do
    if line:match("lunet/prompt%.lua") or line:match("in function 'lunet%.readline%.pcall'")
      or line:match("%[C%]: in function 'xpcall'") then
      break
    end
    kept[#kept + 1] = line
  end
  return table.concat(kept, "\n")
end

--- prompt.show(...)
-- Prints values as the prompt does: each on a line of its own (lunet.repr).
function prompt.show(...)
  for i = 1, select("#", ...) do
    io.write(repr.value((select(i, ...))), "\n")
  end
end

local function show_results(session, ok, ...)
  if ok then
    prompt.show(...)
  else
    local msg = tostring((...))
    -- the terminal echoed "^C" where the output stood
    if msg == "interrupted" and session.tty then msg = "\n" .. msg end
    io.stdout:flush()
    io.stderr:write(msg, "\n")
  end
  io.stdout:flush()
end

-- Line editing if lunet/readline.so loads and we talk to a terminal.
local function open_editor(session)
  local ok, rl = pcall(require, "lunet.readline")
  if not ok then
    if session.tty ~= false then
      io.stderr:write("lunet: no line editing, history or completion (", tostring(rl):match("^[^\n]*"),
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
      io.stderr:write("lunet: history not kept (", err, ")\n")
      session.history = nil
    end
  end
  return rl
end

local function read_line(session, text)
  if session.rl then return session.rl.readline(text) end
  if session.tty ~= false then
    io.write(text)
    io.flush()
  end
  local line = io.read("L")
  return line and (line:gsub("\r?\n$", ""))
end

local function remember(session, chunk)
  if not session.rl or not chunk:match("%S") or chunk == session.last then return end
  session.last = chunk
  local ok, err = session.rl.add_history(chunk, session.history, HISTORY_MAX)
  if not ok and not session.history_failed then
    session.history_failed = true   -- said once, then history stays in memory only
    io.stderr:write("lunet: history not saved (", err, ")\n")
  end
end

local function run_chunk(session, f)
  if session.rl then
    show_results(session, session.rl.pcall(f, message_handler))
  else
    show_results(session, xpcall(f, message_handler))
  end
end

-- Reads, compiles and runs one chunk (several lines when incomplete).
-- Returns true at the end of input.
local function step(session)
  local chunk
  while true do
    local line = read_line(session, chunk and MORE or PROMPT)
    if line == nil then
      io.write("\n")
      return true
    end
    if line == false then   -- Ctrl-C (shown by readline): the line and any pending chunk are dropped
      return false
    end
    chunk = chunk and chunk .. "\n" .. line or line
    local f, err = prompt.compile(chunk)
    if err ~= "incomplete" then
      remember(session, chunk)
      if f then
        run_chunk(session, f)
      else
        io.stdout:flush()
        io.stderr:write(err, "\n")
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
    io.write(("lunet %s on %s: help() lists the modules, help(f) describes f, Tab completes, "
      .. "Ctrl-D quits\n"):format(lunet.version, _VERSION))
  end
  while true do
    local ok, done = pcall(step, session)
    if not ok then io.stderr:write(tostring(done), "\n") end
    if ok and done then break end
  end
end

return prompt
