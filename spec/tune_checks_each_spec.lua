-- lunet.tune's argument checks, each condition alone (they all fire before
-- any training, so these cases are fast): random-search ranges, data sets,
-- epochs, jobs, trials, eta_threshold's start, batch_time's batch sizes.
local lunet = require "lunet"
local H = require "spec.helpers"
local tune = lunet.tune

local function refused(pattern, f, ...)
  local err = H.err(f, ...)
  assert.truthy(err:find(pattern, 1, true), ("expected %q in: %s"):format(pattern, err))
  return err
end

local function set()
  return { x = lunet.rand(4, 3), y = lunet.tensor({ 0, 1, 0, 1 }) }
end

describe("tune checks, each condition alone", function()
  it("a random-search range needs numbers with min <= max, finite, and both > 0 with log", function()
    local msg = "space.eta needs min <= max (both > 0 with log = true)"
    for _, spec in ipairs { { min = 2, max = 1 }, { min = "0.1", max = 1 }, { min = 0.1, max = "1" },
      { min = 0, max = math.huge }, { min = -math.huge, max = 0 }, { min = 0, max = 1, log = true },
      { min = -1, max = 1, log = true } } do
      refused(msg, tune.random, { eta = spec }, { trials = 1 })
    end
    -- valid ranges get past the draw: the next complaint is the missing data set
    for _, spec in ipairs { { min = 1, max = 1 }, { min = 0, max = 1 }, { min = 0.01, max = 1, log = true },
      { min = -1, max = 0 } } do
      local err = refused("training must be a data set", tune.random, { eta = spec }, { trials = 1 })
      assert.is_nil(err:find("space.", 1, true), err)
    end
    refused("space.eta must be a list or {min =, max =}", tune.random, { eta = 0.1 }, { trials = 1 })
    refused("trials must be a positive integer", tune.random, { eta = { 0.1 } }, { trials = 0 })
    refused("trials must be a positive integer", tune.random, { eta = { 0.1 } }, { trials = 1.5 })
  end)

  it("a search's data sets, epochs, seed and jobs are checked each alone", function()
    local configs = { { eta = 0.1 } }
    refused("training must be a data set", tune.run, configs, { validation = set() })
    refused("training must be a data set", tune.run, configs,
      { training = { x = lunet.ones(2, 2) }, validation = set() })
    refused("training must be a data set", tune.run, configs, { training = { y = lunet.ones(2) }, validation = set() })
    refused("validation must be a data set", tune.run, configs, { training = set() })
    local base = function(extra)
      local o = { training = set(), validation = set() }
      for k, v in pairs(extra) do o[k] = v end
      return o
    end
    for _, v in ipairs { 0, 1.5, "2" } do
      refused("epochs must be a positive integer", tune.run, configs, base { epochs = v })
      refused("jobs must be a positive integer", tune.run, configs, base { jobs = v })
    end
    refused("seed must be an integer", tune.run, configs, base { seed = 1.5 })
    refused("model must be a function(config) -> model", tune.run, configs, base { model = 3 })
    refused("configs must be a non-empty list of tables", tune.run, {}, base {})
  end)

  it("eta_threshold's start is a positive finite number", function()
    for _, v in ipairs { 0, -1, math.huge, 0 / 0, "0.1" } do
      refused("start must be a positive number", tune.eta_threshold, { training = set(), start = v })
    end
  end)

  it("batch_time's mini-batch sizes are positive integers", function()
    for _, b in ipairs { 0, -1, 1.5, "2" } do
      refused("mini-batch sizes must be positive integers", tune.batch_time,
        { training = set(), validation = set(), batches = { b } })
    end
  end)
end)
