-- Training as a hostile user calls it: wrong pairings, closed tensors,
-- metamethod tables that close tensors mid-call, bad expansions, bad
-- checkpoint files, bad numbers. Each case ends in a clean Lua error (or a
-- correct result); the ASan build runs them too.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local QUIET = { progress = false }

local function model(hidden, dtype)
  lunet.seed(9)
  return nn.Sequential({ nn.Linear(16, hidden or 6), nn.Dropout(0.2), nn.Linear(hidden or 6, 3), nn.Softmax() },
    { input = { 16 }, cost = "log_likelihood", dtype = dtype })
end

local function data(n)
  lunet.seed(10)
  local y = lunet.zeros(n or 12)
  for i = 1, y:numel() do y[i] = (i - 1) % 3 end
  return { x = lunet.rand(n or 12, 16), y = y }
end

local trap, close_and_collect = H.trap, H.close_and_collect

local function sgd_opts(t) return H.sgd_opts(t, 4) end

local read, write = H.read, H.write

local crc32 = H.crc32

-- The checkpoint at path with its trainer text replaced, checksum resealed.
local function with_text(path, text)
  local bytes, old = read(path), core.checkpoint_text(path)
  local prefix = bytes:sub(1, #bytes - 4 - #old - 8)
  local body = prefix .. string.pack("<I8", #text) .. text
  write(path, body .. string.pack("<I4", crc32(body)))
end

describe("hostile training calls", function()
  local tmp
  before_each(function() tmp = H.tmpname(".ckpt") end)
  after_each(function() os.remove(tmp) end)

  -- optimizer and network pairing
  it("1 an optimizer stepped with another network is refused", function()
    local a, b, d = model():net(), model():net(), data()
    local o = core.optimizer(a, { eta = 0.1, momentum = 0.9 })
    assert.matches("made for another network", H.err(core.train_epoch, b, o, d, 4, QUIET))
  end)

  it("2 an optimizer stepped with a float64 copy of its network is refused", function()
    local a, d = model():net(), data()
    local o = core.optimizer(a, { eta = 0.1, momentum = 0.9 })
    local d64 = { x = d.x:double(), y = d.y }
    assert.matches("made for another network", H.err(core.train_epoch, a:clone("float64"), o, d64, 4, QUIET))
  end)

  it("3 an optimizer for a bigger network stepped with a smaller one does not overrun", function()
    local big, small, d = model(40):net(), model(2):net(), data()
    local o = core.optimizer(big, { eta = 0.1, momentum = 0.9 })
    assert.matches("made for another network", H.err(core.train_epoch, small, o, d, 4, QUIET))
  end)

  it("4 an optimizer cannot be made for a closed network", function()
    local net = model():net()
    net:close()
    assert.matches("network has been closed", H.err(core.optimizer, net, { eta = 0.1 }))
  end)

  it("5 option tables whose metamethods close the network are caught", function()
    local net = model():net()
    local opts = trap({ eta = 0.1 }, "eta", close_and_collect(net))
    assert.matches("network has been closed", H.err(core.optimizer, net, opts))
  end)

  it("6 the optimizer's options are checked: unknown keys, non-finite numbers", function()
    local net = model():net()
    assert.matches("unknown option 'lamda'", H.err(core.optimizer, net, { eta = 0.1, lamda = 1 }))
    assert.matches("lambda must be >= 0", H.err(core.optimizer, net, { eta = 0.1, lambda = 0 / 0 }))
    assert.matches("momentum must be in", H.err(core.optimizer, net, { eta = 0.1, momentum = -0.5 }))
    assert.matches("option 'reg': invalid value 'l3' %(valid: none, l2, l1%)",
      H.err(core.optimizer, net, { eta = 0.1, reg = "l3" }))
    assert.matches("options are named %(a number key", H.err(core.optimizer, net, { 0.1 }))
    assert.matches("unknown option 'momentum'", H.err(core.optimizer, net, { kind = "adam", momentum = 0.9 }))
  end)

  -- data sets
  it("7 a closed input tensor in a data set is an error", function()
    local net, d = model():net(), data()
    d.x:close()
    assert.matches("tensor has been closed", H.err(core.evaluate, net, d))
  end)

  it("8 a closed label tensor in a data set is an error", function()
    local net, d = model():net(), data()
    d.y:close()
    assert.matches("tensor has been closed", H.err(core.check_data, net, d))
  end)

  it("9 a data set whose metamethod closes x while y is read is caught (train_epoch)", function()
    local net, d = model():net(), data()
    local o = core.optimizer(net, { eta = 0.1 })
    local set = trap(d, "y", close_and_collect(d.x))
    assert.matches("tensor has been closed", H.err(core.train_epoch, net, o, set, 4, QUIET))
  end)

  it("10 ... and in evaluate, gradient_norms and check_data", function()
    local net = model():net()
    for _, f in ipairs { core.evaluate, core.gradient_norms, core.check_data } do
      local d = data()
      assert.matches("tensor has been closed", H.err(f, net, trap(d, "y", close_and_collect(d.x))))
    end
  end)

  it("11 an option table that closes the data mid-call is caught (train_epoch, evaluate)", function()
    local net, d = model():net(), data()
    local o = core.optimizer(net, { eta = 0.1 })
    assert.matches("tensor has been closed", H.err(core.train_epoch, net, o, d, 4,
      trap({ progress = false }, "progress", close_and_collect(d.x))))
    d = data()
    assert.matches("tensor has been closed", H.err(core.evaluate, net, d,
      trap({ reg = "l2", lambda = 1 }, "lambda", close_and_collect(d.y))))
  end)

  it("12 an option table that closes the network mid-call is caught", function()
    local net, d = model():net(), data()
    assert.matches("network has been closed", H.err(core.evaluate, net, d,
      trap({ lambda = 0 }, "lambda", close_and_collect(net))))
  end)

  it("13 a data set without tensors, or with an expansion that is not a table, is an error", function()
    local net = model():net()
    assert.matches("needs a tensor 'x'", H.err(core.evaluate, net, { x = {}, y = lunet.zeros(3) }))
    assert.matches("needs a tensor 'y'", H.err(core.evaluate, net, { x = lunet.zeros(3, 16), y = 7 }))
    assert.matches("'expand' must be a table", H.err(core.evaluate, net,
      { x = lunet.zeros(3, 16), y = lunet.zeros(3), expand = 5 }))
  end)

  it("14 labels that do not match the inputs are an error", function()
    local net = model():net()
    assert.matches("12 inputs but labels", H.err(core.evaluate, net, { x = lunet.zeros(12, 16), y = lunet.zeros(5) }))
  end)

  -- expansions
  it("15 expand refuses a shape that does not match the samples", function()
    assert.matches("shape {3, 3} has 9 values but samples have 16",
      H.err(lunet.data.expand, data(), { shape = { 3, 3 } }))
    assert.matches("shape must be {h, w}", H.err(lunet.data.expand, data(), { shape = { 4, 4.5 } }))
    assert.matches("unknown option 'rotation'", H.err(lunet.data.expand, data(), { rotation = 1 }))
    assert.matches("max_degrees must be a finite", H.err(lunet.data.expand, data(), { max_degrees = 0 / 0 }))
  end)

  it("16 a hand-made expansion whose image size does not match the samples is refused by sample", function()
    local d = data()
    local set = { x = d.x, y = d.y, expand = { h = 3, w = 3, transforms = { { kind = "identity" },
      { kind = "shift", dx = 1, dy = 0 } } } }
    assert.matches("3x3 images but samples have 16 values", H.err(lunet.data.sample, set, { 1, 13, 24 }))
    set.expand.h, set.expand.w = 32, 32
    assert.matches("32x32 images", H.err(lunet.data.sample, set, { 24 }))
    assert.matches("32x32 images", H.err(core.check_data, model():net(), set))
  end)

  it("17 a hand-made expansion with huge sizes or shifts is refused", function()
    local d = data()
    local function set(e) return { x = d.x, y = d.y, expand = e } end
    assert.matches("out of range", H.err(core.gather, set { h = 2 ^ 40, w = 1, transforms = { { kind = "identity" } } },
      { 1 }))
    assert.matches("transform 1 is not valid", H.err(core.gather, set { h = 4, w = 4,
      transforms = { { kind = "shift", dx = -2147483647, dy = 0 } } }, { 1 }))
    assert.matches("1 to 64 transforms", H.err(core.gather, set { h = 4, w = 4, transforms = {} }, { 1 }))
  end)

  it("18 sample positions out of range or not integers are errors", function()
    local set = lunet.data.expand(data(), { shape = { 4, 4 } })
    assert.matches("position 0 out of range 1..60", H.err(lunet.data.sample, set, { 0 }))
    assert.matches("position 61 out of range", H.err(lunet.data.sample, set, { 61 }))
    assert.matches("must be an integer", H.err(lunet.data.sample, set, { 1.5 }))
    local s = lunet.data.sample(set, { 60 })
    assert.are.same({ 1, 16 }, s:shape())
  end)

  it("19 a positions table whose metamethods close the inputs is caught", function()
    local d = data()
    local set = lunet.data.expand(d, { shape = { 4, 4 } })
    local positions = setmetatable({}, {
      __len = function() return 2 end,
      __index = function(_, i)
        d.x:close()
        collectgarbage()
        return i
      end,
    })
    assert.matches("tensor has been closed", H.err(lunet.data.sample, set, positions))
  end)

  -- lunet.train.sgd options
  it("20 non-finite or non-positive eta, and bad lambda, are errors", function()
    for _, eta in ipairs { 0 / 0, math.huge, -1, 0 } do
      assert.matches("eta must be a finite positive number",
        H.err(lunet.train.sgd, model(), data(), sgd_opts { eta = eta }))
    end
    assert.matches("lambda must be a finite number",
      H.err(lunet.train.sgd, model(), data(), sgd_opts { lambda = 0 / 0 }))
  end)

  it("21 bad checkpoint options are errors", function()
    assert.matches("checkpoint_every must be a positive integer",
      H.err(lunet.train.sgd, model(), data(), sgd_opts { checkpoint = tmp, checkpoint_every = 0 }))
    assert.matches("checkpoint_every must be a positive integer",
      H.err(lunet.train.sgd, model(), data(), sgd_opts { checkpoint = tmp, checkpoint_every = 1.5 }))
    assert.matches("checkpoint must be a file name",
      H.err(lunet.train.sgd, model(), data(), sgd_opts { checkpoint = 5 }))
    assert.matches("resume must be a file name", H.err(lunet.train.sgd, model(), data(), sgd_opts { resume = {} }))
  end)

  it("22 a checkpoint into a missing directory is a clean error", function()
    assert.matches("checkpoint", H.err(lunet.train.sgd, model(), data(),
      sgd_opts { checkpoint = "/nonexistent-dir/x/run.ckpt" }))
  end)

  -- checkpoint files
  it("23 resuming from a missing file, a directory or a model file is an error", function()
    assert.matches("resume", H.err(lunet.train.sgd, model(), data(), sgd_opts { resume = tmp .. ".missing" }))
    assert.matches("resume", H.err(lunet.train.sgd, model(), data(), sgd_opts { resume = "/tmp" }))
    local m = model()
    m:save(tmp)
    assert.matches("not a lunet checkpoint", H.err(lunet.train.sgd, m, data(), sgd_opts { resume = tmp }))
  end)

  it("24 every truncation of a checkpoint is rejected cleanly", function()
    lunet.train.sgd(model(), data(), sgd_opts { checkpoint = tmp, momentum = 0.5 })
    local good = read(tmp)
    for _, len in ipairs { 0, 7, 8, 12, 20, 100, #good // 2, #good - 5, #good - 4, #good - 1 } do
      write(tmp, good:sub(1, len))
      local ok, err = pcall(lunet.train.sgd, model(), data(), sgd_opts { resume = tmp, momentum = 0.5, epochs = 2 })
      assert.is_false(ok, "length " .. len)
      assert.matches("resume", err)
    end
  end)

  it("25 every single-byte flip in a checkpoint is rejected", function()
    lunet.train.sgd(model(), data(), sgd_opts { checkpoint = tmp })
    local good = read(tmp)
    for i = 1, #good, math.max(1, #good // 60) do
      write(tmp, good:sub(1, i - 1) .. string.char(good:byte(i) ~ 0x10) .. good:sub(i + 1))
      local ok = pcall(lunet.train.sgd, model(), data(), sgd_opts { resume = tmp, epochs = 2 })
      assert.is_false(ok, "byte " .. i)
    end
  end)

  it("26 a resealed checkpoint with a hostile trainer text is rejected without running it", function()
    lunet.train.sgd(model(), data(), sgd_opts { checkpoint = tmp })
    local texts = {
      "",
      "root t:\n",
      "root t:\nroot.epoch s:while true do end\n",
      "os.exit(1)\n",
      "root t:\nroot.epoch i:1\nroot.state.best n:0x1p+0\n",          -- a field without its parent
      "root t:\nroot.epoch n:1e400\n",
      "root t:\nroot t:\n",
      "root t:\nroot.x s:bad\\escape\n",
      ("root t:\n"):rep(3) .. "no newline at the end",
    }
    for i, text in ipairs(texts) do
      lunet.train.sgd(model(), data(), sgd_opts { checkpoint = tmp })
      with_text(tmp, text)
      local fresh = model()
      local before = fresh:flat_parameters():clone()
      local ok, err = pcall(lunet.train.sgd, fresh, data(), sgd_opts { resume = tmp, epochs = 2 })
      assert.is_false(ok, "text " .. i)
      assert.matches("resume", err)
      assert.are.equal(0, H.maxdiff(before:totable(), fresh:flat_parameters():totable()), "text " .. i)
    end
  end)

  it("27 resuming into a different architecture, dtype or data set is refused and changes nothing", function()
    lunet.train.sgd(model(), data(), sgd_opts { checkpoint = tmp })
    local other = model(7)
    local before = other:flat_parameters():clone()
    assert.matches("layer 1 %(dense%) differs", H.err(lunet.train.sgd, other, data(), sgd_opts { resume = tmp }))
    assert.are.equal(0, H.maxdiff(before:totable(), other:flat_parameters():totable()))
    assert.matches("float32 network, this one is float64", H.err(lunet.train.sgd, model(6, "float64"),
      { x = data().x:double(), y = data().y }, sgd_opts { resume = tmp }))
    assert.matches("samples = 12, this run has 15",
      H.err(lunet.train.sgd, model(), data(15), sgd_opts { resume = tmp }))
  end)

  it("28 the core's checkpoint calls check the optimizer against the network", function()
    local a, b = model():net(), model():net()
    local oa = core.optimizer(a, { eta = 0.1, momentum = 0.5, n = 12 })
    assert.matches("made for another network", H.err(core.checkpoint_save, tmp, b, oa, "root t:\n"))
    core.checkpoint_save(tmp, a, oa, "root t:\n")
    assert.matches("made for another network", H.err(core.checkpoint_load, tmp, b, oa))
    local ob = core.optimizer(b, { eta = 0.1, momentum = 0.5, nesterov = true, n = 12 })
    assert.matches("nesterov = 0, this run has 1", H.err(core.checkpoint_load, tmp, b, ob))
    assert.matches("holds 1 optimizer state arrays, this optimizer keeps 0",
      H.err(core.checkpoint_load, tmp, b, core.optimizer(b, { eta = 0.1, n = 12 })))
    local oc = core.optimizer(b, { eta = 0.3, momentum = 0.6, n = 12 })
    assert.are.equal("root t:\n", core.checkpoint_load(tmp, b, oc))
    assert.are.equal(0.1, oc:eta())             -- eta and momentum come back: schedules change them
    assert.are.equal(0.5, oc:get("momentum"))
    assert.are.equal(0, H.maxdiff(a:parameters():totable(), b:parameters():totable()))
  end)

  it("29 resuming a run that already has its epochs returns its history without training", function()
    local m = model()
    local _, _, _, _, h = lunet.train.sgd(m, data(),
      sgd_opts { epochs = 2, checkpoint = tmp, monitor_training_cost = true })
    local fresh = model()
    local _, _, cost, _, h2 = lunet.train.sgd(fresh, data(), sgd_opts { epochs = 2, resume = tmp,
      monitor_training_cost = true })
    assert.are.same(h.training_cost, h2.training_cost)
    assert.are.same(h.training_cost, cost)
    assert.are.equal(0, H.maxdiff(m:flat_parameters():totable(), fresh:flat_parameters():totable()))
  end)

  it("30 network methods check the network after reading options (gradcheck, param, clone)", function()
    local m = model(6, "float64")
    local net = m:net()
    local x, t = lunet.rand(2, 16, "float64"), lunet.zeros(2, 3, "float64")
    assert.matches("tensor has been closed", H.err(net.gradcheck, net, x, t,
      trap({ eps = 1e-5 }, "eps", close_and_collect(x))))
    net:close()
    assert.matches("network has been closed", H.err(net.param, net, 1, "weight"))
    assert.matches("network has been closed", H.err(net.clone, net))
    assert.matches("network has been closed", H.err(net.parameters, net))
  end)

  it("31 bad mini-batch sizes and eta for the core's epoch are errors", function()
    local net, d = model():net(), data()
    local o = core.optimizer(net, { eta = 0.1 })
    assert.matches("mini%-batch size", H.err(core.train_epoch, net, o, d, 0, QUIET))
    assert.matches("integer", H.err(core.train_epoch, net, o, d, 1.5, QUIET))
    assert.matches("eta must be a finite number", H.err(o.set_eta, o, 0 / 0))
    assert.matches("lambda must be a finite number", H.err(core.evaluate, net, d, { lambda = -1 }))
  end)
end)
