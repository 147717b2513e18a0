-- lunet.cli: command-line options for experiment scripts.
--
--   local opts = require("lunet.cli").parse(arg, {
--     { "data", "auto", "data set: mnist, fashion or auto (MNIST when present)" },
--     { "epochs", 30, "training epochs" },
--     { "relu", false, "use ReLU neurons" },
--   }, "examples/chapter1.lua: the book's first network")
--
-- Options are --name value (numbers and strings, typed by their default)
-- or --name for booleans; --help prints the usage and exits.

local errors = require "lunet.errors"

local cli = {}

local function usage(spec, about)
  local lines = { about or "", "", "options:" }
  for _, o in ipairs(spec) do
    local help, shown = o[3] or "", type(o[2]) == "boolean" and (o[2] and "on" or "off") or tostring(o[2])
    -- an empty default is one the script works out (OUT/chapter3.svg): its help says which
    if shown == "" then shown = help:find("(default:", 1, true) and "" or "none" end
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
      if v == nil then
        io.stderr:write(("option --%s needs a value\n"):format(name))
        os.exit(2)
      end
      if type(o[2]) == "number" then
        v = math.tointeger(tonumber(v)) or tonumber(v)
        if v == nil then
          io.stderr:write(("option --%s needs a number, got %s\n"):format(name, argv[i + 1]))
          os.exit(2)
        end
      end
      opts[o[1]] = v
      i = i + 1
    end
    i = i + 1
  end
  return opts
end

return cli
