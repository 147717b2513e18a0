-- lunet.train.sgd's option checks, each condition of each check alone: a
-- wrong type, a value just outside the range, and the bound itself
-- accepted (a check `type(v) ~= t or v < lo` must fire for either part).
local lunet = require "lunet"
local H = require "spec.helpers"

local model, data = H.softmax_model, H.softmax_data

local function opts(t) return H.sgd_opts(t) end

local function refused(pattern, t)
  local err = H.err(lunet.train.sgd, model(), data(), opts(t))
  assert.truthy(err:find(pattern, 1, true), ("expected %q in: %s"):format(pattern, err))
end

local function accepted(t)
  local ok, err = pcall(lunet.train.sgd, model(), data(), opts(t))
  assert.is_true(ok, tostring(err))
end

describe("lunet.train.sgd option checks, each condition alone", function()
  it("epochs and batch: positive integers", function()
    for _, v in ipairs { 0, -1, 1.5, "2" } do
      refused("epochs must be a positive integer", { epochs = v })
      refused("mini-batch size must be a positive integer", { batch = v })
    end
    refused("give batch or mini_batch_size, not both", { mini_batch_size = 2 })
    accepted { batch = 1 }
    accepted { epochs = 1, batch = 6 }
  end)

  it("lambda: a finite number >= 0", function()
    for _, v in ipairs { -1e-9, math.huge, 0 / 0, "1" } do
      refused("lambda must be a finite number >= 0", { lambda = v })
    end
    accepted { lambda = 0 }
    accepted { lmbda = 0.5 }
  end)

  it("eta: a finite positive number for SGD, whatever the other optimizer options", function()
    for _, v in ipairs { 0, -1, math.huge, 0 / 0, "0.1" } do
      refused("eta must be a finite positive number", { eta = v })
    end
    accepted { eta = 1e-37 }   -- a float32 model: 1e-300 would round to 0 there, and is refused
  end)

  it("monitor_every, on_monitor, saturation and checkpoint_every: each type and range", function()
    for _, v in ipairs { 0, -3, 1.5, "2" } do
      refused("monitor_every must be a positive number of training images", { monitor_every = v })
    end
    accepted { monitor_every = 3, monitor_data = data() }
    refused("on_monitor must be a function", { on_monitor = true })
    refused("saturation must be true or {eps =, data =}", { saturation = "yes" })
    refused("saturation must be true or {eps =, data =}", { saturation = 1 })
    accepted { saturation = false }
    for _, v in ipairs { 0, -1, 1.5, "1" } do
      refused("checkpoint_every must be a positive integer", { checkpoint_every = v })
    end
  end)

  it("a data set needs a table with both x and y", function()
    local train = require "lunet.train"
    local msg = "a data set is a table {x = inputs, y = labels or targets}"
    for _, d in ipairs { 5, "x", { x = lunet.ones(2, 4) }, { y = lunet.ones(2) } } do
      local err = H.err(train.size, d)
      assert.truthy(err:find(msg, 1, true), err)
    end
    assert.are.equal(2, train.size { x = lunet.ones(2, 4), y = lunet.ones(2) })
    assert.are.equal(7, train.size { x = lunet.ones(2, 4), y = lunet.ones(2), n = 7 })
  end)

  it("a momentum schedule must give a number strictly between 0 and 1", function()
    local train = require "lunet.train"
    for _, v in ipairs { 0, 1, 1.5, -0.1, "0.5", false } do
      local err = H.err(train.momentum_at, function() return v end, 3)
      assert.truthy(err:find("momentum(3) must be a number in (0, 1)", 1, true), tostring(v) .. ": " .. err)
    end
    assert.are.equal(0.5, train.momentum_at(function(e) return e / 6 end, 3))
  end)

  it("knows every documented option (none is refused as unknown)", function()
    local d = data()
    local path = H.tmpname(".ckpt")
    local values = {
      epochs = 1, batch = 2, mini_batch_size = 2, eta = 0.1, lambda = 0.1, lmbda = 0.1, reg = "l1", momentum = 0.5,
      nesterov = true, evaluation_data = d, monitor_evaluation_cost = true, monitor_evaluation_accuracy = true,
      monitor_training_cost = true, monitor_training_accuracy = true, schedule = {}, early_stopping = 3,
      gradient_norms = true, verbose = false, progress = false, on_epoch = function() end, cost = "quadratic",
      out = io.stdout, checkpoint = path, checkpoint_every = 1, resume = path .. ".none", optimizer = "sgd",
      saturation = true, monitor_every = 3, monitor_data = d, on_monitor = function() end, interruptible = false,
    }
    for k, v in pairs(values) do
      local o = { epochs = 1, eta = 0.1, verbose = false, progress = false }
      if k ~= "mini_batch_size" then o.batch = 3 end
      if k == "nesterov" then o.momentum = 0.5 end
      if k == "monitor_every" then o.monitor_data = d end
      o[k] = v
      local ok, err = pcall(lunet.train.sgd, model(), d, o)
      assert.is_falsy(not ok and tostring(err):find("unknown option", 1, true), k .. ": " .. tostring(err))
    end
    os.remove(path)
    local err = H.err(lunet.train.sgd, model(), d, opts { epoch = 1 })
    assert.truthy(err:find("unknown option 'epoch'", 1, true), err)
  end)

  it("an optimizer other than SGD may leave eta to its default", function()
    local ok, err = pcall(lunet.train.sgd, model(), data(), { epochs = 1, batch = 3, optimizer = "adam",
      verbose = false, progress = false })
    assert.is_true(ok, tostring(err))
    refused("eta must be a finite positive number", { optimizer = "adam", eta = 0 })
  end)
end)
