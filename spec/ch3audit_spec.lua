-- Hostile inputs to the chapter modules (perceptron, universality, tune)
-- that failed with a raw Lua error, were swallowed, or ran without bound.
local lunet = require "lunet"
local H = require "spec.helpers"
local P, U, tune = lunet.perceptron, lunet.universality, lunet.tune

local refused = H.refused

local function set()
  return { x = lunet.rand(4, 3), y = lunet.tensor({ 0, 1, 0, 1 }) }
end

describe("perceptron.train on hostile data", function()
  it("refuses a set of no samples by name, not with 'attempt to divide by zero'", function()
    local err = refused("perceptron.train: ", P.train, P.network { 2, 1 },
      { x = lunet.zeros(0, 2), y = lunet.zeros(0) })
    assert.falsy(err:find("divide by zero", 1, true), err)
  end)
end)

describe("universality on hostile values", function()
  it("sigmoid takes numbers only", function()
    refused("universality.sigmoid: z must be a number", U.sigmoid, "x")
    refused("universality.sigmoid: z must be a number", U.sigmoid, nil)
    assert.are.equal(0.5, U.sigmoid(0))
  end)

  it("a step whose bias -w s overflows is refused, not built with an infinite bias", function()
    refused("universality.steps: ", U.steps, { 1e300 }, { 1 }, { w = 1e300 })
  end)

  it("sgd_fit's points is a positive integer, checked before anything runs", function()
    for _, v in ipairs { "a", 0, 1.5 } do
      refused("universality.sgd_fit: points must be a positive integer", U.sgd_fit, math.sin,
        { points = v, epochs = 1 })
    end
  end)

  it("deviation and sgd_fit refuse an f that gives no finite number, naming the point", function()
    local net = U.step(0.5)
    for _, v in ipairs { "x", 0 / 0, math.huge } do
      local f = function() return v end
      refused("universality.deviation: f(0.25) = ", U.deviation, net, f, { points = 2 })
      refused("universality.sgd_fit: f(0.25) = ", U.sgd_fit, f, { points = 2, epochs = 1 })
    end
    refused("universality.deviation: f(0.25) = nil", U.deviation, net, function() end, { points = 2 })
  end)
end)

describe("tune on hostile options", function()
  it("a grid of 10^9 configurations is refused at once, not built", function()
    local ten = {}
    for i = 1, 10 do ten[i] = i end
    local space = { eta = ten, lambda = ten, batch = ten, momentum = ten, hidden = ten, cost = ten,
      activation = ten, optimizer = ten, extra = ten }
    local t0 = os.clock()
    refused("lunet.tune.grid: the space has 1000000000 configurations", tune.grid, space, {})
    assert.truthy(os.clock() - t0 < 1, "the grid was expanded before it was refused")
  end)

  it("random search's trials are bounded as the grid is", function()
    refused("lunet.tune.random: trials must be a positive integer", tune.random, { eta = { 1 } },
      { trials = 1000000000 })
  end)

  it("eta_threshold refuses a bad batch or epochs instead of reporting every eta as diverged", function()
    refused("lunet.tune.eta_threshold: batch must be a positive integer", tune.eta_threshold,
      { training = set(), epochs = 1, batch = 0 })
    refused("lunet.tune.eta_threshold: epochs must be a positive integer", tune.eta_threshold,
      { training = set(), epochs = 0 })
  end)

  it("a search's batch, early_stopping and train options are checked before any worker runs", function()
    local function o(extra)
      local t = { training = set(), validation = set(), epochs = 1, jobs = 1 }
      for k, v in pairs(extra) do t[k] = v end
      return t
    end
    local configs = { { eta = 0.1 } }
    refused("lunet.tune.run: batch must be a positive integer", tune.run, configs, o { batch = 0 })
    refused("lunet.tune.run: early_stopping must be a positive integer", tune.run, configs, o { early_stopping = -1 })
    refused("lunet.tune.run: train must be a table of lunet.train.sgd options", tune.run, configs, o { train = 5 })
    refused("unknown option 'bogus'", tune.run, configs, o { train = { bogus = 1 } })
  end)

  it("batch_time's batches is a list and its target a number", function()
    refused("lunet.tune.batch_time: batches must be a list of mini-batch sizes", tune.batch_time,
      { training = set(), validation = set(), batches = 3 })
    refused("lunet.tune.batch_time: target must be a number", tune.batch_time,
      { training = set(), validation = set(), batches = { 1 }, target = "x" })
  end)
end)

describe("counts with no bound ran until memory ran out", function()
  -- f stops a run that was not refused before it began
  local function counting()
    local calls = 0
    return function()
      calls = calls + 1
      if calls > 10 then error("f was called: the count was not refused first", 0) end
      return 0.5
    end
  end

  it("universality's counts of points and bumps stop at 10^6", function()
    refused("universality.approximate: N must be a positive integer, at most 1000000", U.approximate, counting(),
      1000000000)
    refused("universality.deviation: points must be a positive integer, at most 1000000", U.deviation, U.step(0.5),
      counting(), { points = 1000000000 })
    refused("universality.sgd_fit: points must be a positive integer, at most 1000000", U.sgd_fit, counting(),
      { points = 1000000000 })
    refused("universality.curve: n must be an integer in 2..1000000", U.curve, U.step(0.5), 1000001)
    assert.are.equal(2, #U.curve(U.step(0.5), 2))
  end)

  it("xor_tree takes at most 2^20 inputs", function()
    refused("perceptron.xor_tree: n must be an integer in 2..1048576", P.xor_tree, 1000000000)
    assert.are.equal(3 * 4, #P.xor_tree(4))
  end)

  it("a tower whose step bias -w s overflows is refused", function()
    refused("universality.towers: ", U.towers, { { 0, 1e300, 0, 1, 1 } }, { w = 1e300 })
  end)

  it("a random-search range with an unknown key (logg) is refused, not drawn linearly", function()
    refused("lunet.tune.random: space.eta: unknown key 'logg'", tune.random,
      { eta = { min = 0.01, max = 10, logg = true } }, { trials = 1 })
  end)
end)

describe("perceptron.circuit's lists and train's core errors", function()
  it("a hole in outputs or gates is refused, not built into units with random weights", function()
    refused("perceptron.circuit: output 2 is node nil", P.circuit, 2, { { 1, 2 } }, { 3, nil, 1 })
    refused("perceptron.circuit: gate 2 must be {a, b}", P.circuit, 2, { { 1, 2 }, nil, { 1, 3 } }, { 3 })
  end)

  it("a node given as a string is shown as a string", function()
    refused("reads the string '1'", P.circuit, 2, { { "1", 2 } }, { 3 })
    refused("output 1 is the string '3'", P.circuit, 2, { { 1, 2 } }, { "3" })
  end)

  it("a NaN in x is refused in perceptron.train's name", function()
    refused("perceptron.train: x holds 1 NaN or infinite values", P.train, P.network { 2, 1 },
      { x = lunet.tensor { { 0 / 0, 1 } }, y = lunet.tensor { 1 } })
  end)
end)

describe("lists with holes and messages in the caller's name", function()
  it("towers and tune.run refuse a hole in their lists", function()
    refused("universality.towers: tower 2 must be {x1, x2, y1, y2, height}", U.towers,
      { { 0.1, 0.2, 0.1, 0.2, 1 }, nil, { 0.3, 0.4, 0.3, 0.4, 1 } })
    refused("lunet.tune.run: configuration 2 is not a table", tune.run, { { eta = 0.1 }, nil, { eta = 0.2 } },
      { training = set(), validation = set(), epochs = 1, jobs = 1 })
  end)

  it("parity_data names itself", function()
    refused("perceptron.parity_data: n must be an integer in 1..20", P.parity_data, 0)
  end)
end)

describe("tune's default model on hostile data sets", function()
  it("an empty training set is refused by name, not with 'attempt to divide by zero'", function()
    refused("lunet.tune.eta_threshold: training must hold at least one sample", tune.eta_threshold,
      { training = { x = lunet.rand(0, 3), y = lunet.zeros(0) }, epochs = 1 })
  end)

  it("labels that are no class numbers are refused before a network of 10^12 outputs is asked for", function()
    for _, v in ipairs { 1e12, 1.5, -1 } do
      refused("lunet.tune.eta_threshold: training labels must be class numbers 0, 1, 2, ...", tune.eta_threshold,
        { training = { x = lunet.rand(2, 3), y = lunet.tensor({ 0, v }, "float64") }, epochs = 1 })
    end
  end)
end)
