-- lunet.tune, data.filter/take, monitoring inside epochs, and the skew and
-- elastic expansions.
local lunet = require "lunet"
local H = require "spec.helpers"

-- A separable two-class problem: the label is x1 > x2.
local function problem(n, seed)
  lunet.seed(seed)
  local x = lunet.rand(n, 6, "float64")
  local y = x:narrow(2, 1, 1):gt(x:narrow(2, 2, 1)):reshape(n)
  return { x = x, y = y, n = n }
end

local function model(cfg)
  return lunet.Network({ 6, cfg.hidden or 5, 2 }, { dtype = "float64" })
end

describe("data.filter and data.take", function()
  it("filter keeps the samples of the given classes in order, relabelled if asked", function()
    local set = { x = lunet.tensor({ { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 }, { 5, 5 } }),
      y = lunet.tensor({ 3, 7, 3, 1, 7 }) }
    local f = lunet.data.filter(set, { 7, 3 })
    assert.are.equal(4, f.n)
    assert.are.same({ { 1, 1 }, { 2, 2 }, { 3, 3 }, { 5, 5 } }, f.x:totable())
    assert.are.same({ 3, 7, 3, 7 }, f.y:totable())
    f = lunet.data.filter(set, { 7, 3 }, { relabel = true })
    assert.are.same({ 1, 0, 1, 0 }, f.y:totable())
    assert.matches("classes", H.err(lunet.data.filter, set, {}))
    assert.matches("unknown option", H.err(lunet.data.filter, set, { 1 }, { relabl = true }))
  end)

  it("take gives views of n samples", function()
    local set = { x = lunet.tensor({ { 1 }, { 2 }, { 3 } }), y = lunet.tensor({ 0, 1, 0 }) }
    local t = lunet.data.take(set, 2, 2)
    assert.are.same({ { 2 }, { 3 } }, t.x:totable())
    assert.is_true(t.x:shares_storage(set.x))
    assert.are.equal(3, lunet.data.take(set, 10).n)
    assert.matches("positive integer", H.err(lunet.data.take, set, 0))
  end)
end)

describe("monitoring every k mini-batches", function()
  it("records the monitors every monitor_every images and trains the same network", function()
    local data, val = problem(200, 1), problem(50, 2)
    local function run(extra)
      lunet.seed(9)
      local net = model {}
      local o = { verbose = false, evaluation_data = val }
      for k, v in pairs(extra) do o[k] = v end
      local _, _, _, _, h = net:SGD(data, 2, 10, 0.5, o)
      return net, h
    end
    local plain = run {}
    local net, h = run { monitor_every = 60 }
    assert.are.equal(0, (plain.weights[1] - net.weights[1]):abs():max())
    -- 60 images = 6 mini-batches: 3 points in each epoch of 20 mini-batches
    assert.are.same({ 60, 120, 180, 260, 320, 380 }, h.monitor.images)
    assert.are.equal(6, #h.monitor.evaluation_accuracy)
    local _, stopped = run { monitor_every = 60, on_monitor = function(m) return m.images < 120 end }
    assert.are.equal("monitor", stopped.stopped)
    assert.are.same({ 60, 120 }, stopped.monitor.images)
    assert.matches("monitor_every", H.err(run, { monitor_every = 0 }))
  end)

  it("an error in the monitor, or a tensor closed by it, is a clean error", function()
    local data, val = problem(100, 1), problem(20, 2)
    local net = model {}
    assert.matches("boom", H.err(net.SGD, net, data, 1, 10, 0.5, { verbose = false, evaluation_data = val,
      monitor_every = 20, on_monitor = function() error("boom") end }))
    local x = data.x:clone()
    local own = { x = x, y = data.y }
    assert.matches("closed", H.err(net.SGD, net, own, 1, 10, 0.5, { verbose = false, evaluation_data = val,
      monitor_every = 20, on_monitor = function() x:close() end }))
    -- the core call on its own: a monitor must be a function
    assert.matches("monitor", H.err(require("lunet.core").train_epoch, net:net(), require("lunet.core").optimizer(
      net:net(), { eta = 0.1 }), data, 10, { every = 2 }))
  end)
end)

describe("grid search", function()
  local data, val = problem(200, 3), problem(60, 4)
  local space = { eta = { 0.1, 0.5, 1, 3 }, hidden = { 3, 5 } }

  local function strip(results)
    local out = {}
    for i, r in ipairs(results) do
      out[i] = { eta = r.config.eta, hidden = r.config.hidden, accuracy = r.accuracy, epochs = r.epochs,
        curve = r.evaluation_accuracy, best_epoch = r.best_epoch }
    end
    return out
  end

  it("gives the same results with two jobs as with one, sorted, with CSV and plot; resumes", function()
    local dir1, dir2 = H.tmpname("-grid1"), H.tmpname("-grid2")
    local o = { training = data, validation = val, model = model, epochs = 3, early_stopping = 2 }
    o.dir, o.jobs = dir1, 1
    local one = lunet.tune.grid(space, o)
    o.dir, o.jobs = dir2, 2
    local two = lunet.tune.grid(space, o)
    assert.are.equal(8, #one)
    assert.are.same(strip(one), strip(two))
    for i = 2, #one do assert.is_true(one[i - 1].accuracy >= one[i].accuracy) end
    local csv = H.read(dir2 .. "/results.csv")
    assert.matches("^eta,hidden,accuracy,best_epoch,epochs,seconds,stopped\n", csv)
    assert.are.equal(9, select(2, csv:gsub("\n", "")))
    local svg = H.read(dir2 .. "/results.svg")
    assert.is_true(tonumber(svg:match('^<svg[^>]- width="(%d+)"')) <= 1000)
    -- resumable: a finished configuration is not run again (a model that
    -- fails would give error records), a new one is
    o.model = function() error("a finished configuration ran again") end
    o.jobs = 1
    local again = lunet.tune.grid(space, o)
    assert.are.same(strip(two), strip(again))
    space.eta[5] = 2
    o.model = function(cfg)
      if cfg.eta ~= 2 then error("a finished configuration ran again") end
      return model(cfg)
    end
    local more = lunet.tune.grid(space, o)
    space.eta[5] = nil
    assert.are.equal(10, #more)
    for _, r in ipairs(more) do assert.is_nil(r.error) end
    os.execute("rm -rf " .. dir1 .. " " .. dir2)
  end)

  it("random search draws its configurations from the seed", function()
    local dir = H.tmpname("-random")
    local o = { training = data, validation = val, model = model, epochs = 1, trials = 3, seed = 7, dir = dir,
      jobs = 2 }
    local a = lunet.tune.random({ eta = { min = 0.1, max = 3, log = true }, hidden = { 3, 5 } }, o)
    assert.are.equal(3, #a)
    for _, r in ipairs(a) do assert.is_true(r.config.eta >= 0.1 and r.config.eta <= 3) end
    os.execute("rm -rf " .. dir)
  end)

  it("a failing configuration is reported, not fatal", function()
    local dir = H.tmpname("-fail")
    local r = lunet.tune.run({ { eta = 0.5 }, { eta = -1 } }, { training = data, validation = val, model = model,
      epochs = 1, dir = dir, jobs = 2 })
    assert.are.equal(2, #r)
    assert.matches("eta", r[2].error)
    os.execute("rm -rf " .. dir)
  end)
end)

describe("the learning-rate threshold", function()
  it("is the largest eta tried whose cost falls every epoch, refined after the orders of magnitude", function()
    local data = problem(200, 5)
    local path = H.tmpname(".svg")
    local eta, curves = lunet.tune.eta_threshold { training = data, model = model, epochs = 3, file = path }
    local best = 0
    for _, c in ipairs(curves) do
      local falls = #c.cost == 4
      for i = 2, #c.cost do falls = falls and c.cost[i] < c.cost[i - 1] end
      assert.are.equal(falls, c.falls)
      if c.falls then best = math.max(best, c.eta) end
    end
    assert.are.equal(best, eta)
    assert.are.equal(0.01, curves[1].eta)
    assert.is_true(#curves >= 3)
    assert.matches("^<svg", H.read(path))
    os.remove(path)
  end)

  it("batch_time reports seconds to the target per mini-batch size", function()
    local rows = lunet.tune.batch_time { training = problem(200, 6), validation = problem(60, 7), model = model,
      batches = { 5, 50 }, eta = 1, target = 0.6, monitor_every = 50, max_epochs = 2 }
    assert.are.equal(2, #rows)
    for _, r in ipairs(rows) do
      assert.is_true(r.accuracy >= 0 and r.images >= 50)
      assert.are.equal(r.reached, r.accuracy >= 0.6)
      if r.reached then assert.is_true(r.seconds >= 0) else assert.is_nil(r.seconds) end
    end
  end)
end)

describe("skew and elastic distortions", function()
  it("are deterministic under the seed, differ from the image, and keep a blank image blank", function()
    local x = lunet.rand(3, 64, "float64")
    local set = { x = x, y = lunet.tensor({ 0, 1, 0 }) }
    local function make()
      lunet.seed(11)
      return lunet.data.expand(set, { shifts = false, skews = 1, elastic = 1, alpha = 3, sigma = 1.5 })
    end
    local a, b = make(), make()
    assert.are.equal(9, a.n)
    local sa, sb = lunet.data.sample(a, { 4, 5, 7, 8 }), lunet.data.sample(b, { 4, 5, 7, 8 })
    assert.are.equal(0, (sa - sb):abs():max())
    assert.is_true((sa[1] - x[1]):abs():max() > 0)
    assert.is_true((sa[3] - x[1]):abs():max() > 0)
    -- a skew of 0 and an elastic field scaled by 0 give the image back
    lunet.seed(1)
    local same = lunet.data.expand(set, { shifts = false, skews = 1, max_skew = 0, elastic = 1, alpha = 0 })
    local s = lunet.data.sample(same, { 4, 7 })
    H.near(H.maxdiff(s[1]:totable(), x[1]:totable()), 0, 1e-12, "no skew")
    H.near(H.maxdiff(s[2]:totable(), x[1]:totable()), 0, 1e-12, "no displacement")
    -- a skew moves row r by s (r - centre): row 8's pixels come from c + 3.5 s
    lunet.seed(2)
    local img = lunet.zeros(1, 64, "float64")
    for c = 1, 8 do img[1][56 + c] = c end   -- the last row holds 1..8
    local sk = lunet.data.expand({ x = img, y = lunet.tensor({ 0 }) }, { shifts = false, skews = 1, max_skew = 0.2 })
    local out = lunet.data.sample(sk, { 2 })[1]
    local shift = out[57] - 1            -- where column 1 looks: 1 + 3.5 s, linear in between
    assert.is_true(math.abs(shift) <= 0.7 + 1e-12)
    H.near(out[58], 2 + shift, 1e-12, "bilinear along the row")
    assert.matches("sigma", H.err(lunet.data.expand, set, { elastic = 1, sigma = 0 }))
    assert.matches("4096", H.err(lunet.data.expand, { x = lunet.zeros(1, 65 * 65), y = lunet.tensor({ 0 }) },
      { elastic = 1 }))
  end)
end)
