-- lunet.cli: command-line options for experiment scripts.
--
--   local opts = require("lunet.cli").parse(arg, {
--     { "data", "auto", "data set: mnist, fashion or auto (MNIST when present)" },
--     { "epochs", 30, "training epochs" },
--     { "relu", false, "use ReLU neurons" },
--   }, "examples/chapter1.lua: the book's first network")
--
-- Options are --name value (numbers and strings, typed by their default)
-- or --name for booleans; --help prints the usage and exits. A fourth
-- field says which values the option takes, checked before the script
-- does any work: "count" (a whole number >= 1), "whole" (>= 0), "integer",
-- "positive" (a number > 0), "nonnegative", "fraction" (in (0, 1]), a list
-- of the strings allowed, or "dir": a directory for output, made at once
-- (so a path that cannot be one fails now, not after the training). A
-- refused value ends the script with one line on stderr and status 2.

local errors = require "lunet.errors"

local cli = {}

--- cli.fail(fmt, ...)
-- Ends the script with the message as one line on stderr and status 2:
-- the way to refuse a command-line value, without a traceback.
function cli.fail(fmt, ...)
  io.stdout:flush()
  io.stderr:write(fmt:format(...), "\n")
  os.exit(2)
end

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end
local function whole(v) return math.type(v) == "integer" end

-- name = { what the value must be, test }
local CHECKS = {
  count = { "a whole number >= 1", function(v) return whole(v) and v >= 1 end },
  whole = { "a whole number >= 0", function(v) return whole(v) and v >= 0 end },
  integer = { "a whole number", whole },
  positive = { "a number > 0", function(v) return v > 0 end },
  nonnegative = { "a number >= 0", function(v) return v >= 0 end },
  fraction = { "a number in (0, 1]", function(v) return v > 0 and v <= 1 end },
}

local function quote(s) return "'" .. s:gsub("'", [['\'']]) .. "'" end

--- cli.make_dir(path[, option])
-- Makes the directory path (and its parents) for a script's output, or
-- ends the script (cli.fail) saying why it cannot be made or written.
function cli.make_dir(path, option)
  local what = option and ("option --%s: "):format(option) or ""
  if path == "" then cli.fail("%san empty path is no directory", what) end
  local p = io.popen("mkdir -p -- " .. quote(path) .. " 2>&1 && test -d " .. quote(path) .. " && test -w "
    .. quote(path) .. " && echo ok")
  local out = p:read("a")
  p:close()
  if not out:match("ok\n$") then
    local why = out:match("mkdir: ([^\n]*)") or "it is not a directory that can be written"
    cli.fail("%scannot make the directory %s: %s", what, path, why)
  end
end

--- cli.at_most(option, value, limit, what)
-- Refuses (cli.fail) a count above what the data holds, which would be
-- cut down to it unsaid or fail inside lunet: "option --images: the
-- training set has 50000 images, got 1000000000".
function cli.at_most(option, value, limit, what)
  if value > limit then cli.fail("option --%s: %s has %d images, got %s", option, what, limit, value) end
end

--- cli.load_data(name) -> training, validation, test, name
-- lunet.data.load_default(name), ending the script (status 1) with the
-- message, not a traceback, when the data set is not there.
function cli.load_data(name)
  local ok, training, validation, test, used = pcall(require("lunet.data").load_default, name)
  if not ok then
    io.stdout:flush()
    io.stderr:write(tostring(training), "\n")
    os.exit(1)
  end
  return training, validation, test, used
end

local function usage(spec, about)
  local lines = { about or "", "", "options:" }
  for _, o in ipairs(spec) do
    local help, shown = o[3] or "", type(o[2]) == "boolean" and (o[2] and "on" or "off") or tostring(o[2])
    -- an empty default is one the script works out (OUT/chapter3.svg): its help says which
    if shown == "" then shown = help:find("(default:", 1, true) and "" or "none" end
    if type(o[4]) == "table" and not help:find(o[4][1], 1, true) then
      help = help .. (help == "" and "" or ": ") .. table.concat(o[4], ", ")
    end
    lines[#lines + 1] = ("  --%-16s %s%s"):format(o[1], help, shown == "" and "" or " (default: " .. shown .. ")")
  end
  return table.concat(lines, "\n")
end

-- A mistake in the script's own option list is the script's bug: an error
-- at its line, not a usage message.
local function check_spec(spec)
  if type(spec) ~= "table" then errors.raise("cli.parse: the option list must be a table") end
  for i, o in ipairs(spec) do
    if type(o) ~= "table" or type(o[1]) ~= "string" or not o[1]:match("^[%w_]+$") then
      errors.fail("cli.parse", "option %d must be { name, default, help } with a name of letters, digits and _", i)
    end
    local kind = type(o[2])
    if kind ~= "number" and kind ~= "string" and kind ~= "boolean" then
      errors.raise(("cli.parse: option '%s' needs a number, string or boolean default, got %s"):format(o[1], kind))
    end
    if o[3] ~= nil and type(o[3]) ~= "string" then
      errors.raise(("cli.parse: option '%s': the help text must be a string"):format(o[1]))
    end
    local check = o[4]
    local fits = check == nil or (kind == "number" and CHECKS[check])
      or (kind == "string" and (check == "dir" or type(check) == "table"))
    if not fits then
      errors.raise(("cli.parse: option '%s': unknown check %s for a %s"):format(o[1], tostring(check), kind))
    end
  end
end

function cli.parse(argv, spec, about)
  check_spec(spec)
  if argv ~= nil and type(argv) ~= "table" then errors.raise("cli.parse: argv must be a table (arg) or nil") end
  local opts, byname = {}, {}
  for _, o in ipairs(spec) do
    opts[o[1]] = o[2]
    byname[o[1]] = o
  end
  local i = 1
  while argv and argv[i] do
    if type(argv[i]) ~= "string" then errors.raise(("cli.parse: argv[%d] is not a string"):format(i)) end
    local name = argv[i]:match("^%-%-([%w_-]+)$")
    if argv[i] == "--help" or argv[i] == "-h" then
      print(usage(spec, about))
      os.exit(0)
    end
    local o = name and byname[name:gsub("-", "_")]
    if not o then
      io.stderr:write(("unknown option %s\n\n%s\n"):format(argv[i], usage(spec, about)))
      os.exit(2)
    end
    if type(o[2]) == "boolean" then
      opts[o[1]] = true
    else
      local v = argv[i + 1]
      -- "--out --epochs 3" lacks the value of --out: it is not a path "--epochs"
      local next_name = type(v) == "string" and v:match("^%-%-([%w_-]+)$")
      if v == nil or v == "-h" or (next_name and byname[next_name:gsub("-", "_")]) then
        cli.fail("option --%s needs a value", name)
      end
      if type(o[2]) == "number" then
        v = math.tointeger(tonumber(v)) or tonumber(v)
        if v == nil or not finite(v) then
          cli.fail("option --%s needs a %snumber, got %s", name, v and "finite " or "", argv[i + 1])
        end
        local check = CHECKS[o[4]]
        if check and not check[2](v) then cli.fail("option --%s needs %s, got %s", name, check[1], argv[i + 1]) end
      elseif type(o[4]) == "table" then
        local allowed = false
        for _, c in ipairs(o[4]) do allowed = allowed or c == v end
        if not allowed then cli.fail("option --%s takes %s, got '%s'", name, table.concat(o[4], ", "), v) end
      end
      opts[o[1]] = v
      i = i + 1
    end
    i = i + 1
  end
  for _, o in ipairs(spec) do
    if o[4] == "dir" then cli.make_dir(opts[o[1]], o[1]) end
  end
  return opts
end

return cli
