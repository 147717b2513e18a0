-- The pieces of the lunet prompt without a terminal: compiling what was
-- typed, how values print, completion candidates, shapes, a session piped
-- into bin/lunet, and Ctrl-C during training (a real SIGINT sent to this
-- process while a guard is open). spec/prompt_tmux_spec.lua types at the
-- real prompt.
local lunet = require "lunet"
local core = require "lunet.core"
local train = require "lunet.train"
local prompt = require "lunet.prompt"
local repr = require "lunet.repr"
local complete = require "lunet.complete"

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

describe("prompt.compile", function()
  it("returns the values of a bare expression and of =expr", function()
    assert.same({ 3 }, { assert(prompt.compile("1 + 2"))() })
    assert.same({ 1, "a" }, { assert(prompt.compile("=1, 'a'"))() })
    assert.same({ 7 }, { assert(prompt.compile("  = 7"))() })
  end)

  it("runs statements", function()
    local f = assert(prompt.compile("prompt_spec_x = 5"))
    assert.same({}, { f() })
    assert.equal(5, rawget(_G, "prompt_spec_x"))
    rawset(_G, "prompt_spec_x", nil)
  end)

  it("asks for more lines when a chunk is cut short, and reports real errors", function()
    for _, src in ipairs { "for i = 1, 2 do", "1 +", "f(", "x = {", "function g()\nreturn 1" } do
      local f, err = prompt.compile(src)
      assert.is_nil(f)
      assert.equal("incomplete", err, src)
    end
    assert(prompt.compile("for i = 1, 2 do\nend"))
    local f, err = prompt.compile("1 1")
    assert.is_nil(f)
    assert.matches("^stdin:1: ", err)
    assert.not_equal("incomplete", err)
  end)

  it("reads ?x as help(x)", function()
    local seen
    local saved = rawget(_G, "help")
    rawset(_G, "help", function(x) seen = x end)
    assert(prompt.compile("?math.floor"))()
    rawset(_G, "help", saved)
    assert.equal(math.floor, seen)
  end)
end)

describe("repr.value", function()
  it("prints lists of numbers as {1, 2, 3} and tables with sorted keys", function()
    assert.equal("{1, 2, 3}", repr.value { 1, 2, 3 })
    assert.equal("{}", repr.value {})
    assert.equal('{1.5, b = "x\\ny", c = true, d = {2, {3}}}',
      repr.value { 1.5, b = "x\ny", c = true, d = { 2, { 3 } } })
    assert.equal("{[2] = 1}", repr.value { [2] = 1 })
    assert.equal('{["a b"] = 1}', repr.value { ["a b"] = 1 })
  end)

  it("shows strings as they are at the top and quoted inside tables", function()
    assert.equal("hello", repr.value("hello"))
    assert.equal('{"hello"}', repr.value { "hello" })
    assert.equal("nil", repr.value(nil))
  end)

  it("uses __tostring (tensors, shapes, models) and survives a failing one", function()
    local t = lunet.zeros(2, 3)
    assert.equal(tostring(t), repr.value(t))
    assert.equal("2x3", repr.value(t:shape()))
    assert.equal("{[Tensor float32 2x3]}", repr.value { t })
    local bad = setmetatable({}, { __tostring = function() error("no") end })
    assert.matches("__tostring failed", repr.value(bad))
  end)

  it("stops at cycles and depth, cuts long tables, and never runs __index or __pairs", function()
    local t = {}
    t.self = t
    assert.equal("{self = {<cycle>}}", repr.value(t))
    assert.equal("{1, {2, {3, {...}}}}", repr.value { 1, { 2, { 3, { 4 } } } })
    local long = {}
    for i = 1, 100 do long[i] = i end
    local s = repr.value(long)
    assert.matches("^{\n  1, 2, 3, ", s)
    assert.matches("%.%.%. %(100 entries%)\n}$", s)
    for line in s:gmatch("[^\n]+") do assert.is_true(#line <= 80, line) end
    local trap = setmetatable({ a = 1 }, {
      __index = function() error("__index ran") end,
      __pairs = function() error("__pairs ran") end,
    })
    assert.equal("{a = 1}", repr.value(trap))
  end)
end)

describe("shapes", function()
  it("tensor:shape() and tensor:size() are lists that print as 3x4", function()
    local t = lunet.zeros(3, 4)
    local s = t:shape()
    assert.same({ 3, 4 }, s)
    assert.equal(2, #s)
    assert.equal("3x4", tostring(s))
    assert.equal("3x4", tostring(t:size()))
    assert.equal(4, t:size(2))
    assert.equal("3x4", table.concat(s, "x"))
    assert.equal("scalar", tostring(lunet.zeros({}):shape()))
  end)
end)

describe("complete.candidates", function()
  local env = setmetatable({}, { __index = function() error("the environment's __index ran") end })
  rawset(env, "lunet", lunet)
  rawset(env, "t", lunet.ones(2, 2))
  rawset(env, "net", lunet.Network { 4, 3, 2 })
  rawset(env, "n3", lunet.network3.Network {
    lunet.network3.FullyConnectedLayer { n_in = 4, n_out = 3 },
    lunet.network3.SoftmaxLayer { n_in = 3, n_out = 2 } })
  rawset(env, "lin", lunet.nn.Linear(3, 2))

  it("completes globals, fields along a path, and keywords", function()
    assert.same({ "lunet.rand", "lunet.randn" }, complete.candidates("lunet.ran", env))
    assert.same({ "lunet.nn.Linear" }, complete.candidates("lunet.nn.Li", env))
    assert.same({ "lunet" }, complete.candidates("lun", env))
    assert.same({ "function" }, complete.candidates("functi", env))
    assert.same({}, complete.candidates("nothing.here", env))
    assert.same({}, complete.candidates("lunet.zeros.x", env))
  end)

  it("completes methods of tensors, networks and layers through their classes", function()
    assert.same({ "t:reshape" }, complete.candidates("t:resh", env))
    assert.same({ "net:SGD" }, complete.candidates("net:S", env))
    assert.same({ "n3:SGD" }, complete.candidates("n3:S", env))
    -- methods a Network has from Sequential and Module
    assert.same({ "net:save" }, complete.candidates("net:sa", env))
    assert.same({ "lin:forward" }, complete.candidates("lin:forw", env))
    -- ":" offers functions only, "." every field
    assert.same({}, complete.candidates("net:siz", env))
    assert.same({ "net.sizes" }, complete.candidates("net.siz", env))
  end)

  it("lists the modules lunet loads on first use", function()
    assert.same({ "lunet.data" }, complete.candidates("lunet.dat", env))
    assert.same({ "lunet.plot" }, complete.candidates("lunet.plo", env))
  end)

  it("hides metamethods and private fields unless asked with _", function()
    for _, c in ipairs(complete.candidates("lunet.Network.", env)) do
      assert.not_matches("%._", c)
    end
    assert.same({ "lunet.Network.__index", "lunet.Network.__name", "lunet.Network.__tostring" },
      complete.candidates("lunet.Network.__", env))
  end)
end)

describe("bin/lunet with piped input", function()
  local function session(input, env)
    local cmd = ("printf '%%s' %s | env %s sh bin/lunet 2>&1"):format(q(input), env or "")
    local p = io.popen(cmd)
    local out = p:read("a")
    return p:close(), out
  end

  it("runs expressions, statements and multi-line chunks, and prints values one a line", function()
    local ok, out = session("x = 2\n=x, x * 2\nfor i = 1, 2 do\nprint(i)\nend\nlunet.zeros(2, 3):shape()\n"
      .. "{1, 2, 3}\n")
    assert.is_true(ok, out)
    assert.equal("2\n4\n1\n2\n2x3\n{1, 2, 3}\n\n", out)
  end)

  it("reports errors and carries on", function()
    local ok, out = session("lunet.zeros(2.5)\n1 1\n=1\n")
    assert.is_true(ok, out)
    assert.matches("size must be an integer, got 2.5", out)
    assert.matches("stdin:1: [^\n]*near '1'", out)
    assert.matches("\n1\n\n$", out)
  end)

  it("has help(x), ?x and help()", function()
    local ok, out = session("help(lunet.zeros)\n?lunet.zeros\nhelp()\n")
    assert.is_true(ok, out)
    local sig = "lunet%.zeros%(d1, [^\n]*%) %-> tensor\n"
    assert.matches("^" .. sig .. ".*\n" .. sig, out)
    assert.matches("\nlunet modules[^\n]*: [^\n]*lunet%.nn", out)
  end)

  it("reads plain lines when the readline module is missing, and says so", function()
    local ok, out = session("=1 + 1\n",
      "LUA_INIT_5_4=" .. q("package.preload['lunet.readline'] = function() error('no such module') end"))
    assert.is_true(ok, out)
    assert.matches("lunet: no line editing, history or completion %(", out)
    assert.matches("> 2\n", out)
  end)
end)

describe("the readline module's history file", function()
  local ok, rl = pcall(require, "lunet.readline")

  it("is made with its directory, appended per chunk, cut to its last lines, and reported when unwritable", function()
    assert.is_true(ok, rl)
    local dir = os.tmpname()
    os.remove(dir)
    local path = dir .. "/a/b/history"
    assert.is_true(rl.load_history(path, 5))
    for i = 1, 5 do assert.is_true(rl.add_history("x = " .. i, path, 5)) end
    assert.is_true(rl.add_history("for i = 1, 2 do\nprint(i)\nend", path, 5))
    -- entries follow "#<time>" lines; the file keeps its last 5 lines (the
    -- cut may take the first entry's time line)
    local entries, new = {}, true
    for line in io.lines(path) do
      if line:match("^#%d+$") then
        new = true
      elseif new then
        entries[#entries + 1], new = line, false
      else
        entries[#entries] = entries[#entries] .. "\n" .. line
      end
    end
    assert.same({ "x = 4", "x = 5", "for i = 1, 2 do\nprint(i)\nend" }, entries)
    local nok, err = rl.add_history("y", "/proc/version/history", 3)
    assert.is_nil(nok)
    assert.matches("^cannot create /proc/version/history: ", err)
    nok, err = rl.load_history("/proc/version/lunet/history", 3)
    assert.is_nil(nok)
    assert.matches("^cannot create the directory of /proc/version/lunet/history: ", err)
    os.execute("rm -rf '" .. dir .. "'")
  end)
end)

describe("Ctrl-C during training", function()
  local function pid()
    local f = assert(io.open("/proc/self/stat"))
    local n = f:read("n")
    f:close()
    return n
  end

  local function data(n)
    return { x = lunet.rand(n, 8), y = lunet.zeros(n) }
  end

  it("is not caught outside the prompt unless asked", function()
    assert.is_false(train.interruptible)
    assert.is_false(core.interrupted())
  end)

  it("a SIGINT before an epoch stops the run before its first mini-batch", function()
    local net = lunet.Network { 8, 4, 2 }
    local before = net:flat_parameters():clone()
    -- open to the end of the test, so this process survives the signal
    local outer <close> = core.catch_interrupts()   -- luacheck: ignore 211
    assert.is_false(core.interrupted())
    io.popen("kill -INT " .. pid()):close()
    assert.is_true(core.interrupted())
    local out = io.tmpfile()
    local _, _, tr_cost, _, h = train.sgd(net, data(50), { epochs = 3, eta = 0.1, interruptible = true,
      progress = false, monitor_training_cost = true, out = out })
    assert.equal("interrupted", h.stopped)
    assert.equal(1, h.interrupted_epoch)
    assert.same({}, h.epoch)
    assert.same({}, tr_cost)
    assert.same(before:totable(), net:flat_parameters():totable())   -- not one step taken
    out:seek("set")
    assert.matches("^training interrupted %(Ctrl%-C%) during epoch 1/3: the network keeps its updates; "
      .. "returning the monitors and history of 0 complete epochs", out:read("a"))
  end)

  it("a SIGINT while training ends the run at a mini-batch; the network keeps working", function()
    local net = lunet.Network { 8, 16, 2 }
    local d = data(2000)
    local before = net:flat_parameters():clone()
    local outer <close> = core.catch_interrupts()
    local killer = io.popen("sleep 0.5; kill -INT " .. pid())
    local epochs = 0
    local _, _, tr_cost, _, h = train.sgd(net, d, { epochs = 1000000, eta = 0.1, interruptible = true,
      progress = false, verbose = false, monitor_training_cost = true, out = io.tmpfile(),
      on_epoch = function() epochs = epochs + 1 end })
    killer:close()
    assert.equal("interrupted", h.stopped)
    assert.is_true(epochs < 1000000)
    assert.equal(epochs, #h.epoch)
    assert.equal(epochs, #tr_cost)
    assert.is_true(h.interrupted_epoch == epochs or h.interrupted_epoch == epochs + 1)
    assert.not_same(before:totable(), net:flat_parameters():totable())
    local cost = net:total_cost(d)
    assert.is_true(cost == cost and cost < math.huge)
    -- the next run, outside any guard, is not stopped by the old flag
    assert.is_true(core.interrupted())
    outer:close()
    assert.is_false(core.interrupted())
    local _, _, _, _, h2 = train.sgd(net, d, { epochs = 1, eta = 0.1, progress = false, verbose = false })
    assert.equal("epochs", h2.stopped)
  end)

  it("stops an epoch run in pieces (monitor_every) too", function()
    local net = lunet.Network { 8, 16, 2 }
    local d = data(2000)
    -- open to the end of the test, so this process survives the signal
    local outer <close> = core.catch_interrupts()   -- luacheck: ignore 211
    local killer = io.popen("sleep 0.5; kill -INT " .. pid())
    local _, _, _, _, h = train.sgd(net, d, { epochs = 1000000, eta = 0.1, interruptible = true,
      progress = false, verbose = false, evaluation_data = data(20), monitor_every = 200, out = io.tmpfile() })
    killer:close()
    assert.equal("interrupted", h.stopped)
    assert.is_true(h.interrupted_epoch - #h.epoch <= 1)
    assert.is_true(#h.monitor.images >= 1)
  end)

  it("stops an ensemble's training at the network being trained", function()
    local d = data(40)
    local made = 0
    train.interruptible = true
    local ok, nets = pcall(lunet.ensemble.train, 4, function(i)
      made = i
      local net = lunet.Network { 8, 4, 2 }
      if i == 2 then io.popen("kill -INT " .. pid()):close() end
      net:SGD(d, 2, 10, 0.1, { progress = false, verbose = false, out = io.tmpfile() })
      return net
    end)
    train.interruptible = false
    assert.is_true(ok, nets)
    assert.equal(2, made)
    assert.equal(2, #nets)
    assert.is_false(core.interrupted())
  end)

  it("guards nest and the flag clears when the last closes", function()
    local a = core.catch_interrupts()
    local b = core.catch_interrupts()
    io.popen("kill -INT " .. pid()):close()
    assert.is_true(core.interrupted())
    b:close()
    assert.is_true(core.interrupted())
    b:close()   -- closing twice does nothing
    assert.is_true(core.interrupted())
    a:close()
    assert.is_false(core.interrupted())
  end)
end)
