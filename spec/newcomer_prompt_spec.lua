-- What a newcomer types at the prompt on the first day: a snippet pasted
-- line by line (its locals must outlive their line), ?t:method, help() of
-- a misspelt name, and an error in a call of lunet's typed at the prompt
-- (its message at the line typed, no traceback through lunet's insides).
local lunet = require "lunet"
local prompt = require "lunet.prompt"
local doc = require "lunet.doc"

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The prompt fed on standard input, as `bin/lunet < file` does (under
-- make asan with the sanitizer runtime that LD_PRELOAD holds).
local function session(input)
  local env = os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD "
  local p = io.popen(("printf '%%s' %s | %ssh bin/lunet 2>&1"):format(q(input), env))
  local out = p:read("a")
  return p:close(), out
end

local function printed(f, ...)
  local lines, saved = {}, _G.print
  _G.print = function(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = tostring(parts[i]) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(f, ...)
  _G.print = saved
  assert(ok, err)
  return table.concat(lines, "\n")
end

describe("the prompt with a newcomer's input", function()
  after_each(function()
    for _, k in ipairs { "nc_t", "nc_a", "nc_b", "nc_sq", "nc_c", "nc_d" } do rawset(_G, k, nil) end
  end)

  it("keeps what a line declares local, so a pasted snippet runs line by line", function()
    assert(prompt.compile("local nc_t = 2 * 3"))()
    assert.equal(6, rawget(_G, "nc_t"))
    assert(prompt.compile("  local nc_a, nc_b = 1, 2"))()
    assert.same({ 1, 2 }, { rawget(_G, "nc_a"), rawget(_G, "nc_b") })
    assert(prompt.compile("local function nc_sq(x)\n  return x * x\nend"))()
    assert.equal(9, rawget(_G, "nc_sq")(3))
    -- a chunk cut short still waits for more lines
    local f, err = prompt.compile("local nc_t = {")
    assert.is_nil(f)
    assert.equal("incomplete", err)
  end)

  it("leaves locals with an attribute, bare declarations and other statements alone", function()
    assert(prompt.compile("local nc_c <const> = 5"))()
    assert.is_nil(rawget(_G, "nc_c"))
    assert(prompt.compile("local nc_d"))()
    assert.is_nil(rawget(_G, "nc_d"))
    -- only a chunk that starts with the declaration: a later local stays local
    assert(prompt.compile("nc_a = 1 local nc_b = 2"))()
    assert.equal(1, rawget(_G, "nc_a"))
    assert.is_nil(rawget(_G, "nc_b"))
    -- "local x == 1" is no declaration and stays a syntax error
    assert.is_nil((prompt.compile("local nc_a == 1")))
  end)

  it("runs the README's first snippet pasted into bin/lunet", function()
    local ok, out = session('local lunet = require "lunet"\nlocal t = lunet.randn(3, 4)\nprint(t:matmul(t:t()))\n')
    assert.is_true(ok, out)
    assert.matches("%[Tensor float32 3x3%]", out)
    assert.not_matches("attempt to", out)
  end)

  it("places an error in a one-line expression on line 1", function()
    local ok, out = session("nc_t = lunet.zeros(2)\nnc_t[3]\n")
    assert.is_true(ok, out)
    assert.equal("stdin:1: index 3 out of range 1..2\n", out:gsub("\n\n$", "\n"))
  end)

  it("reads ?t:method as help(t.method)", function()
    local seen
    local saved = rawget(_G, "help")
    rawset(_G, "help", function(x) seen = x end)
    rawset(_G, "nc_t", lunet.zeros(2))
    local f = prompt.compile("?nc_t:reshape")
    rawset(_G, "help", saved)
    assert.is_function(f)
    rawset(_G, "help", function(x) seen = x end)
    f()
    rawset(_G, "help", saved)
    assert.equal(lunet.Tensor.reshape, seen)
  end)

  it("says that help got nil rather than listing the modules as help() does", function()
    local text = printed(doc.help, nil)
    assert.matches("^help: got nil, so there is nothing by that name %(is it spelt right%?%)", text)
    assert.not_matches("lunet modules", text)
    assert.matches("^lunet modules and classes: ", printed(doc.help))
  end)

  it("places an error in lunet's code at the line typed, without a traceback through lunet", function()
    local ok, out = session('lunet.Network{4, 2, activaton = "relu"}\n'
      .. 'net = lunet.Network({4, 2}, {inti = 1})\n'
      .. 'function nc_f() return lunet.zeros(2.5) end\nnc_f()\n=1\n')
    assert.is_true(ok, out)
    -- a bare expression is not run as a tail call: the position is stdin's, not bin/lunet's -e
    assert.matches("\nstdin:1: Network: unknown option 'activaton' %(valid: activation, cost, dtype, init, output%); "
      .. "did you mean 'activation'%?\n", "\n" .. out)
    assert.matches("\nstdin:1: Network: unknown option 'inti' [^\n]*did you mean 'init'%?\n", out)
    assert.not_matches("command line", out)
    -- the traceback only comes with a function of the user's on the stack
    local _, tracebacks = out:gsub("stack traceback:", "")
    assert.equal(1, tracebacks, out)
    assert.matches("stack traceback:\n[^\n]*\n%s*stdin:1: in function 'nc_f'", out)
    assert.not_matches("lunet/errors%.lua", out)
    assert.matches("\n1\n", out)
  end)
end)

describe("misspelt option names", function()
  local opts = require "lunet.opts"

  it("suggest the closest valid name, one edit away (two for longer names), or none", function()
    assert.equal("init", opts.suggest("inti", { "init" }))
    assert.equal("lambda", opts.suggest("lamda", { "eta", "lambda", "lmbda" }))
    assert.equal("epochs", opts.suggest("epoch", { "epochs", "eta" }))
    assert.equal("activation", opts.suggest("Activaton", { "activation", "cost" }))
    assert.is_nil(opts.suggest("batch_size", { "batch", "mini_batch_size" }))
    assert.is_nil(opts.suggest("xy", { "ab" }))
    assert.is_nil(opts.suggest(1, { "a" }))
  end)

  it("in training list every valid option and the likely one", function()
    local net = lunet.Network { 2, 1 }
    local data = { x = lunet.zeros(4, 2), y = lunet.zeros(4) }
    local err = tostring(select(2, pcall(lunet.train.sgd, net, data, { epoch = 1, eta = 0.1 })))
    assert.matches("lunet.train.sgd: unknown option 'epoch' %(valid: batch, [^)]*epochs, eta, [^)]*verbose%); "
      .. "did you mean 'epochs'%?$", err)
    err = tostring(select(2, pcall(net.SGD, net, data, 1, 2, 0.1, { lamda = 5 })))
    assert.matches("Network:SGD: unknown option 'lamda' %(valid: [^)]*lambda[^)]*%); did you mean 'lambda'%?$", err)
  end)

  it("are found in training's option tables read raw, as the README says (no __pairs runs)", function()
    local net = lunet.Network { 2, 1 }
    local data = { x = lunet.zeros(4, 2), y = lunet.zeros(4) }
    local meta = { __pairs = function() error("__pairs ran") end }
    assert.is_true((pcall(lunet.train.sgd, net, data, setmetatable({ epochs = 1, eta = 0.1, verbose = false }, meta))))
    assert.is_true((pcall(net.SGD, net, data, 1, 2, 0.1, setmetatable({ verbose = false }, meta))))
    local adam = setmetatable({ kind = "adam" }, meta)
    local err = tostring(select(2, pcall(lunet.train.sgd, net, data,
      setmetatable({ epochs = 1, eta = 0.1, verbose = false, optimizer = adam }, meta))))
    assert.not_matches("__pairs ran", err)
    err = tostring(select(2, pcall(lunet.train.sgd, net, data, "fast")))
    assert.matches("lunet.train.sgd: options must be a table, got string", err)
    err = tostring(select(2, pcall(net.SGD, net, data, 1, 2, 0.1, 5)))
    assert.matches("Network:SGD: options must be a table, got number", err)
  end)

  it("in training say which argument is not a data set, and what it was", function()
    local net = lunet.Network { 2, 1 }
    local data = { x = lunet.zeros(4, 2), y = lunet.zeros(4) }
    -- the network3 habit: the validation set where the options go
    local err = tostring(select(2, pcall(net.SGD, net, data, 1, 2, 0.1, data)))
    assert.matches("Network:SGD: the options are a data set %(x, y%): give evaluation data as "
      .. "{evaluation_data = set, monitor_evaluation_accuracy = true}$", err)
    err = tostring(select(2, pcall(net.SGD, net, data, 1, 2, 0.1, { evaluation_data = data.x })))
    assert.matches("Network:SGD: evaluation_data: a data set is a table {x = inputs, y = labels or targets}, "
      .. "got a tensor$", err)
    err = tostring(select(2, pcall(lunet.train.sgd, net, data.x, { epochs = 1, eta = 0.1 })))
    assert.matches("lunet.train.sgd: training data: a data set is a table [^\n]*, got a tensor$", err)
    err = tostring(select(2, pcall(lunet.train.sgd, net, { x = data.x }, { epochs = 1, eta = 0.1 })))
    assert.matches("training data: a data set is a table [^\n]*, got a table without y$", err)
  end)

  it("of a data set name, as the examples' --data takes it, list auto too", function()
    local ok, err = pcall(require("lunet.data").load_default, "mnsit")
    assert.is_false(ok)
    assert.matches('unknown data set "mnsit": expected "mnist", "fashion" or "auto"$', err)
  end)

  it("of a dtype name the two dtypes", function()
    local ok, err = pcall(lunet.zeros, 2, "float46")
    assert.is_false(ok)
    assert.matches("invalid option 'float46': a dtype is \"float32\" or \"float64\"", err)
  end)
end)
