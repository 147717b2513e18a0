-- What the prose says about the code, checked against the code: the files
-- and calls docs/ARCHITECTURE.md and the headers name, the figures comments
-- and README give, the options and limits docstrings list, and what the
-- documents say of L-BFGS's default (h0 = "ss/sy" since 2026-12-02, not
-- PyTorch's rule). Each test failed on the text it was written for.
local core = require "lunet.core"
local H = require "spec.helpers"

local read = H.read

local function list(cmd)
  local out = {}
  for line in io.popen(cmd):lines() do out[#out + 1] = line end
  return out
end

-- Paragraphs of a file: runs of comment lines (Lua, C) or of non-blank
-- lines (Markdown), joined by spaces, with the line each starts at.
local function paragraphs(path)
  local kind = path:match("%.lua$") and "lua" or path:match("%.[ch]$") and "c" or "md"
  local out, cur, start, n = {}, {}, 0, 0
  local function flush()
    if #cur > 0 then out[#out + 1] = { line = start, text = (table.concat(cur, " "):gsub("%s+", " ")) } end
    cur = {}
  end
  for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local body
    if kind == "lua" then body = line:match("^%s*%-%-+(.*)$")
    elseif kind == "c" then body = line:match("^%s*/?%*+(.*)$")
    elseif line:match("%S") then body = line end
    if body then
      if #cur == 0 then start = n end
      cur[#cur + 1] = body
    else
      flush()
    end
  end
  flush()
  return out
end

-- The paragraph of a document that contains `needle`.
local function paragraph_with(path, needle)
  for _, p in ipairs(paragraphs(path)) do
    if p.text:find(needle, 1, true) then return p.text end
  end
  error(path .. " has no paragraph with " .. needle)
end

describe("the documents and comments", function()
  it("name every file that defines a layer class (layer.h, ARCHITECTURE's Files: list)", function()
    local files = list("grep -l 'static const ln_layer_class' csrc/*.c")
    assert.is_true(#files >= 7, "found only " .. #files .. " layer files")
    local header = read("csrc/layer.h"):match("^/%*.-%*/")
    local arch = paragraph_with("docs/ARCHITECTURE.md", "**A layer**")
    for _, path in ipairs(files) do
      local name = path:match("[^/]+$")
      assert.truthy(header:find(name, 1, true), "layer.h's opening comment does not name " .. name)
      assert.truthy(arch:find("`" .. name .. "`", 1, true), "ARCHITECTURE's layer paragraph does not name " .. name)
    end
  end)

  it("say what adding an optimiser touches: every file outside the specs that names the newest kind", function()
    local newest = core.optimizer_kinds[#core.optimizer_kinds]
    local arch = paragraph_with("docs/ARCHITECTURE.md", "Adding an")
    -- docs/reference.md is generated; ARCHITECTURE is the text being checked
    local files = list("grep -ril '" .. newest .. "' csrc lua README.md bench/*.py")
    assert.is_true(#files >= 4, "found only " .. #files .. " files naming " .. newest)
    for _, path in ipairs(files) do
      local short = path:gsub("^csrc/", ""):gsub("^lua/lunet/", ""):gsub("%.md$", "")
      assert.truthy(arch:find(short, 1, true),
        ("ARCHITECTURE's optimiser paragraph does not name %s (%s names %s)"):format(short, path, newest))
    end
  end)

  it("say L-BFGS follows PyTorch only with h0 = \"sy/yy\", and starts its line searches at 1 only then", function()
    local files = { "README.md", "docs/ARCHITECTURE.md", "bench/README.md" }
    for _, dir in ipairs { "lua/lunet", "examples" } do
      for _, p in ipairs(list("ls " .. dir .. "/*.lua")) do files[#files + 1] = p end
    end
    local bad = {}
    for _, path in ipairs(files) do
      for _, p in ipairs(paragraphs(path)) do
        local t = p.text
        local about = (t:find("L%-BFGS") or t:find("lbfgs")) and t:find("[Tt]orch")
          and (t:find("step for step") or t:find("same path") or t:find("same algorithm"))
        if about and not t:find("sy/yy", 1, true) then bad[#bad + 1] = ("%s:%d"):format(path, p.line) end
        for sentence in (t .. " "):gmatch("(.-[.;])%s") do
          if sentence:find("1 for [^.]*L%-BFGS") and not sentence:find("sy/yy", 1, true) then
            bad[#bad + 1] = ("%s:%d (first trial step)"):format(path, p.line)
          end
        end
      end
    end
    assert(#bad == 0, "L-BFGS described as PyTorch's without naming h0 = \"sy/yy\":\n  " .. table.concat(bad, "\n  "))
  end)

  it("give the objective's chunk as the code computes it (784 float64 inputs)", function()
    local src = read("csrc/train.c")
    local kb = tonumber(src:match("%(%(int64_t%)(%d+) << 10%) / row_bytes"))
    assert.is_not_nil(kb, "gradient_chunk's byte budget not found")
    local rows = (kb << 10) // (784 * 8)
    local said = tonumber(src:match("784%-30%-10 float64 objective, (%d+) rows a chunk"))
    assert.are.equal(rows, said, "train.c's comment")
    local arch = paragraph_with("docs/ARCHITECTURE.md", "`ln_objective` (train.c)")
    assert.truthy(arch:find(rows .. " for 784 float64 inputs", 1, true), "ARCHITECTURE's full-batch objectives")
    -- README's example: the chunk is at most LN_EVAL_CHUNK, fewer for wide inputs
    local most = read("csrc/train.h"):match("#define LN_EVAL_CHUNK (%d+)")
    local readme = read("README.md"):match("local cost, grad = f%(w0%)[^\n]*")
    assert.truthy(readme:find("at most " .. most .. " samples at a time", 1, true), readme)
  end)

  it("give the dense kernel's register blocks as kern_linear.c makes them", function()
    local src = read("csrc/kern_linear.c")
    local function largest(macro)
      local body = src:match("#define " .. macro .. "%(B%)(.-)\n%S")
      local m, n = 0, 0
      for a, b in body:gmatch("B%((%d+), (%d+)%)") do
        a, b = tonumber(a), tonumber(b)
        if a * 10 + b > m * 10 + n then m, n = a, b end
      end
      return m, n
    end
    local m5, n5 = largest("BLOCKS5")
    local m3, n3 = largest("BLOCKS")
    assert.are.same({ 5, 4, 3, 4 }, { m5, n5, m3, n3 })
    local said_m, said_n = src:match("AVX%-512: twice the lanes, and 32 registers for (%d) x (%d) blocks")
    assert.are.same({ m5, n5 }, { tonumber(said_m), tonumber(said_n) })
    local arch = paragraph_with("docs/ARCHITECTURE.md", "**The dense layer's own forward product**")
    assert.truthy(arch:find(("%d x %d with AVX2, %d x %d with AVX-512"):format(m3, n3, m5, n5), 1, true))
  end)
  it("give the rows, kernels and weights that conv_direct.c takes as its test does", function()
    local src = read("csrc/conv_direct.c")
    local step, lo, hi = src:match("g%->w_out %% (%d+) == 0 && g%->w_out >= (%d+) && g%->w_out <= (%d+)")
    assert.is_not_nil(step, "ln_conv_direct_ok's width test not found")
    local widths = {}
    for w = tonumber(lo), tonumber(hi), tonumber(step) do widths[#widths + 1] = tostring(w) end
    local said = table.concat(widths, ", ", 1, #widths - 1) .. " or " .. widths[#widths]
    local taps = src:match("#define LN_CONV_DIRECT_TAPS (%d+)")
    local arch = paragraph_with("docs/ARCHITECTURE.md", "`conv_direct.c` writes")
    assert.truthy(arch:find("rows of " .. said .. " positions", 1, true), "ARCHITECTURE: rows of " .. said)
    assert.truthy(arch:find("at most " .. taps .. " weights per map", 1, true), "ARCHITECTURE: " .. taps .. " weights")
  end)
  it("name only public values in lua/lunet/doc/*.lua, and say so", function()
    require "lunet"
    local doc = require "lunet.doc"
    local public = {}
    for _, e in ipairs(doc.public()) do
      for _, name in ipairs(e.names) do public[name] = true end
    end
    local unused = {}
    for _, path in ipairs(list("ls lua/lunet/doc/*.lua")) do
      for name in pairs(dofile(path)) do
        if not public[name] then unused[#unused + 1] = path .. ": " .. name end
      end
      -- a comment calling entries unused once they are all public misleads
      if #unused == 0 then
        assert.is_nil(read(path):find("unused until merged", 1, true), path .. " calls used entries unused")
      end
    end
    assert(#unused == 0, "entries for no public value:\n  " .. table.concat(unused, "\n  "))
  end)
  it("give BFGS's counts on bench/minimize.lua's quadratic as minimize takes them (within 3%)", function()
    local lunet = require "lunet"
    -- bench/minimize.lua's problem: A = Q diag(1 .. 1000) Q^T, seeded
    local n = 100
    local A, b = H.conditioned_quadratic(n, 1000, 2024)
    local xstar = lunet.linalg.solve(A, b)
    local function quad(x)
      local ae = lunet.mv(A, x:sub(xstar))
      return 0.5 * x:sub(xstar):dot(ae), ae
    end
    local function run(o)
      o.method, o.gtol, o.max_iter = "bfgs", 1e-6, 10000
      local _, h = lunet.minimize.minimize(quad, lunet.zeros(n, "float64"), o)
      return h
    end
    local plain, scaled = run({}), run({ scale_h0 = true })
    local src = read("lua/lunet/minimize.lua")
    local s_iters, p_iters = src:match("took (%d+) iterations instead of (%d+), so it is not the default")
    local p_evals = src:match("100%-d quadratic this took (%d+) evaluations where starting at 1")
    local function near(said, got, what)
      said = tonumber(said)
      assert(said and math.abs(said - got) <= 0.03 * got, ("minimize.lua says %s for %s; it takes %d"):format(
        tostring(said), what, got))
    end
    near(s_iters, scaled.iterations, "BFGS's iterations with scale_h0")
    near(p_iters, plain.iterations, "BFGS's iterations from H0 = I")
    near(p_evals, plain.evaluations, "BFGS's evaluations from H0 = I")
  end)
  it("give hessian.lua's figures as it prints them", function()
    local row
    for line in read("README.md"):gmatch("[^\n]+") do
      if line:find("`bin/lunet examples/hessian.lua`", 1, true) then row = line end
    end
    assert.is_not_nil(row, "README has no row for examples/hessian.lua")
    local said = row:match("at a minimum %(none; condition number ([%d.]+e%d+)%)")
    assert.is_not_nil(said, "the row's condition number at the minimum")
    local out = os.tmpname()
    os.remove(out)
    local p = io.popen(("bin/lunet examples/hessian.lua --out %s 2>&1"):format(out))
    local text = p:read("a")
    p:close()
    os.execute(("rm -rf '%s'"):format(out))
    local cond = tonumber(text:match("\nminimum%s+%S+%s+%S+%s+%d+%s+(%S+)"))
    assert.is_not_nil(cond, text)
    local printed = ("%.1e"):format(cond):gsub("e%+0*", "e")
    assert(printed == said, ("README says condition number %s at the minimum, hessian.lua prints %s"):format(said,
      printed))
  end)
  it("say which hyperparameters opt:set changes: those it accepts, and no other", function()
    require "lunet"
    local doc = require "lunet.doc"
    local text = doc.get(core.optimizer_metatable.__index.set).text
    local net = require("lunet").Network({ 3, 2 }, { cost = "quadratic" }):net()
    for _, kind in ipairs(core.optimizer_kinds) do
      local o = core.optimizer(net, { kind = kind, eta = 0.1, momentum = kind == "sgd" and 0.5 or nil })
      for _, name in ipairs { "eta", "momentum", "nesterov", "beta1", "beta2", "eps", "rho", "weight_decay" } do
        if pcall(o.get, o, name) then
          local v = o:get(name)
          local ok = pcall(o.set, o, name, type(v) == "number" and v or 0)
          local said = name == "eta" or (name == "momentum" and kind == "sgd")
          assert.are.equal(said, ok, kind .. "." .. name)
          if not ok then assert.truthy(text:find("fixed when it is made", 1, true), text) end
        end
      end
    end
    assert.truthy(text:find("eta or SGD's momentum", 1, true), text)
  end)
  it("name where the book's counts come from (the trainer's lists, train.evaluate, train.correct)", function()
    local lunet = require "lunet"
    lunet.seed(1)
    local labels = {}
    for i = 1, 20 do labels[i] = i % 2 end
    local d = { x = lunet.rand(20, 4), y = lunet.tensor(labels), n = 20 }
    local m = lunet.nn.Sequential({ lunet.nn.Linear(4, 2), lunet.nn.Sigmoid() }, { cost = "cross_entropy" })
    local _, ev_acc, _, tr_acc, h = lunet.train.sgd(m, d, { epochs = 1, eta = 0.1, evaluation_data = d,
      monitor_evaluation_accuracy = true, monitor_training_accuracy = true, verbose = false, progress = false })
    local correct = lunet.train.correct(m, d)
    assert.are.equal(correct, ev_acc[1])
    assert.are.equal(correct, tr_acc[1])
    assert.are.equal(correct, select(2, lunet.train.evaluate(m, d)))
    assert.are.equal(correct / 20, h.evaluation_accuracy[1])
    assert.are.equal(correct / 20, m:accuracy(d))
    local arch = paragraph_with("docs/ARCHITECTURE.md", "Every model is a `Module`")
    for _, name in ipairs { "`train.sgd`", "`Network:SGD`", "`train.evaluate`", "`train.correct`" } do
      assert.truthy(arch:find(name, 1, true), "ARCHITECTURE's scoring paragraph does not name " .. name)
    end
  end)
  it("give data.expand's limit on transforms, and the random direction's scale, as the code has them", function()
    local lunet = require "lunet"
    local set = { x = lunet.zeros(2, 16), y = lunet.zeros(2) }
    local most = 64
    assert.is_true(pcall(lunet.data.expand, set, { rotations = most - 5 }))
    assert.is_false(pcall(lunet.data.expand, set, { rotations = most - 4 }))
    local d = require("lunet.doc").get(lunet.data.expand).text
    assert.truthy(d:find("at most " .. most .. " transforms in all", 1, true), d)
    -- cost_slice's random direction has the norm of w (its docstring says so; so must the helper's comment)
    local src = read("lua/lunet/diagnose.lua")
    assert.truthy(src:find('if kind == "random" then d:mul_(w0:norm()', 1, true))
    local comment = src:match("(%-%- A random direction.-)\nlocal function direction")
    assert.truthy(comment:gsub("%-%-", ""):gsub("%s+", " "):find("scaled to the norm of w", 1, true), comment)
  end)
  it("name every option the plot functions accept in their docstrings", function()
    local lunet = require "lunet"
    local doc = require "lunet.doc"
    for _, name in ipairs { "line", "bar", "images", "heatmap", "grid", "monitor" } do
      local fn = lunet.plot[name]
      local ok, err
      if name == "monitor" then ok, err = pcall(fn, {}, { no_such_option = 1 })
      else ok, err = pcall(fn, { no_such_option = 1 }) end
      assert.is_false(ok)
      local known = tostring(err):match("%(known: ([^)]*)%)")
      assert.is_not_nil(known, err)
      local d = doc.get(fn)
      local text = d.signature .. " " .. d.text
      for key in known:gmatch("[%w_]+") do
        assert.truthy(text:find("%f[%w_]" .. key .. "%f[^%w_]"),
          ("plot.%s's docstring does not name %s"):format(name, key))
      end
    end
  end)
  it("say that the tensor functions are the binding's own, re-exported by init.lua", function()
    local lunet = require "lunet"
    assert.are.equal(core.zeros, lunet.zeros)
    assert.are.equal(core.Tensor, lunet.Tensor)
    local opening = paragraph_with("docs/ARCHITECTURE.md", "lunet has three layers")
    assert.truthy(opening:find("re-exports unchanged", 1, true), opening)
  end)
  it("list every layer constructor of lunet.nn in its module docstring", function()
    local lunet = require "lunet"
    local text = require("lunet.doc").get(lunet.nn).text
    for name, v in pairs(lunet.nn) do
      if type(v) == "function" and name:match("^%u") then
        assert.truthy(text:find("%f[%w]" .. name .. "%f[^%w]"), "lunet.nn's docstring does not list " .. name)
      end
    end
  end)
  it("name the zlib calls the IDX reader makes", function()
    local code = read("csrc/idx.c")
    for _, path in ipairs { "docs/ARCHITECTURE.md", "fuzz/fuzz_file.h" } do
      for name in read(path):gmatch("%f[%w_](gz%l*open)%f[^%w_]") do
        assert.truthy(code:find(name .. "(", 1, true),
          ("%s names %s, which csrc/idx.c does not call"):format(path, name))
      end
    end
  end)
  it("give train.sgd's results and every history.stopped value in train.lua's opening comment", function()
    local lunet = require "lunet"
    local top = read("lua/lunet/train.lua"):match("^(.-)\nlocal ")
    assert.truthy(top:find("local _, _, _, _, history = train.sgd(", 1, true), "the example takes the history")
    local labels = {}
    for i = 1, 20 do labels[i] = i % 2 end
    local d = { x = lunet.rand(20, 4), y = lunet.tensor(labels), n = 20 }
    local function stopped(o)
      local m = lunet.nn.Sequential({ lunet.nn.Linear(4, 2), lunet.nn.Sigmoid() }, { cost = "cross_entropy" })
      o.epochs, o.eta, o.verbose, o.progress = 2, 0.1, false, false
      local _, _, _, _, h = lunet.train.sgd(m, d, o)
      return h.stopped
    end
    local seen = {
      stopped({}),
      stopped({ on_epoch = function() return false end }),
      stopped({ evaluation_data = d, monitor_every = 10, on_monitor = function() return false end }),
    }
    for _, v in ipairs(seen) do
      assert.truthy(top:find('"' .. v .. '"', 1, true), "train.lua's opening comment does not list " .. v)
    end
  end)
end)
