-- The book's network3 vocabulary (chapter 6) and ensembles by majority vote.
local lunet = require "lunet"
local n3 = lunet.network3

-- Images of 8x8 with a bright horizontal (class 0) or vertical (class 1) bar.
local function bars(n, seed)
  lunet.seed(seed)
  local x = lunet.rand(n, 64) * 0.2
  local y = lunet.zeros(n)
  for i = 1, n do
    local class, at = i % 2, 2 + (i * 7) % 5
    y[i] = class
    for j = 1, 8 do
      local pixel = class == 0 and (at - 1) * 8 + j or (j - 1) * 8 + at
      x[{ i, pixel }] = 1
    end
  end
  return { x = x, y = y }
end

local function small_net(activation)
  return n3.Network({
    n3.ConvPoolLayer { image_shape = { 1, 8, 8 }, filter_shape = { 4, 1, 3, 3 }, poolsize = { 2, 2 },
      activation = activation },
    n3.FullyConnectedLayer { n_in = 4 * 3 * 3, n_out = 12, activation = activation },
    n3.SoftmaxLayer { n_in = 12, n_out = 2 },
  }, 10)
end

local function std(t)
  local n = t:numel()
  local mean = t:sum() / n
  return math.sqrt(((t - mean) * (t - mean)):sum() / n)
end

describe("network3", function()
  it("builds the book's network with its initialisation", function()
    lunet.seed(61)
    local net = n3.Network({
      n3.ConvPoolLayer { image_shape = { 10, 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, poolsize = { 2, 2 },
        activation = n3.ReLU },
      n3.ConvPoolLayer { image_shape = { 10, 20, 12, 12 }, filter_shape = { 40, 20, 5, 5 }, poolsize = { 2, 2 },
        activation = n3.ReLU },
      n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = n3.ReLU },
      n3.SoftmaxLayer { n_in = 100, n_out = 10 },
    }, 10)
    local layers = net:layers()
    local convs, linears = {}, {}
    for _, l in ipairs(layers) do
      if l.spec.type == "conv2d" then convs[#convs + 1] = l end
      if l.spec.type == "dense" then linears[#linears + 1] = l end
    end
    assert.are.equal(2, #convs)
    assert.are.equal(2, #linears)
    -- n_out = maps * kernel area / pool area: 20*25/4 = 125 and 40*25/4 = 250
    assert.is_true(math.abs(std(convs[1].weight) - math.sqrt(1 / 125)) < 0.01)
    assert.is_true(math.abs(std(convs[2].weight) - math.sqrt(1 / 250)) < 0.002)
    assert.is_true(math.abs(std(convs[2].bias) - 1) < 0.35)
    assert.is_true(math.abs(std(linears[1].weight) - math.sqrt(1 / 100)) < 0.001)
    assert.are.equal(0, linears[2].weight:abs():sum())
    assert.are.equal(0, linears[2].bias:abs():sum())
    assert.are.same({ 10 }, net:output(lunet.rand(784)):shape())
  end)

  it("trains with SGD and prints network3's lines", function()
    local training, validation = bars(200, 62), bars(60, 63)
    lunet.seed(64)
    local net = small_net("relu")
    local lines = {}
    local out = { write = function(_, s) lines[#lines + 1] = s end, flush = function() end }
    local best, best_test = net:SGD(training, 6, 10, 0.1, validation, validation, 0.1, { out = out, progress = false })
    local text = table.concat(lines)
    assert.matches("Epoch 0: validation accuracy [%d.]+%%", text)
    assert.matches("This is the best validation accuracy to date.", text)
    assert.matches("Best validation accuracy of [%d.]+%% obtained at epoch %d", text)
    assert.is_true(best > 0.9, "best validation accuracy " .. best)
    assert.are.equal(best_test, net:accuracy(validation))
  end)

  it("refuses inconsistent shapes", function()
    assert.has_error(function()
      n3.ConvPoolLayer { image_shape = { 3, 8, 8 }, filter_shape = { 4, 1, 3, 3 } }
    end, "network3.ConvPoolLayer: image_shape and filter_shape disagree on input maps")
    assert.has_error(function()
      n3.ConvPoolLayer { image_shape = { 1, 8, 8 }, filter_shape = { 4, 1, 3, 3 }, poolsize = { 2, 3 } }
    end)
  end)
end)

-- Networks that always answer the same: outputs given row by row.
local function fixed(rows)
  return { output = function() return lunet.tensor(rows) end }
end

describe("ensemble", function()
  it("votes by majority, breaking ties by the mean output", function()
    local a = fixed { { 0.6, 0.4, 0 }, { 0.1, 0.8, 0.1 }, { 0.5, 0.2, 0.3 } }
    local b = fixed { { 0.7, 0.3, 0 }, { 0.1, 0.1, 0.8 }, { 0.2, 0.7, 0.1 } }
    local c = fixed { { 0.1, 0.9, 0 }, { 0.0, 0.9, 0.1 }, { 0.1, 0.3, 0.6 } }
    local d = fixed { { 0.1, 0.1, 0.8 }, { 0.2, 0.2, 0.6 }, { 0.1, 0.6, 0.3 } }
    local labels = lunet.ensemble.vote({ a, b, c }, lunet.zeros(3, 1))
    -- sample 1: 0, 0, 1 -> 0; sample 2: 1, 2, 1 -> 1; sample 3: 0, 1, 2 -> tie, mean largest for 1
    assert.are.same({ 0, 1, 1 }, labels:totable())
    -- four networks, two against two on sample 2 (1, 2, 1, 2): the mean decides (class 1: 0.5 > 0.45)
    labels = lunet.ensemble.vote({ a, b, c, d }, lunet.zeros(3, 1))
    assert.are.same(1, labels[2])
  end)

  it("reports each network, the vote and how often all agree", function()
    local a = fixed { { 0.9, 0.1 }, { 0.9, 0.1 }, { 0.2, 0.8 }, { 0.3, 0.7 } }
    local b = fixed { { 0.9, 0.1 }, { 0.1, 0.9 }, { 0.6, 0.4 }, { 0.3, 0.7 } }
    local c = fixed { { 0.8, 0.2 }, { 0.4, 0.6 }, { 0.1, 0.9 }, { 0.9, 0.1 } }
    local r = lunet.ensemble.evaluate({ a, b, c }, { x = lunet.zeros(4, 1), y = lunet.tensor { 0, 1, 1, 1 } })
    assert.are.equal(4, r.n)
    assert.are.same({ 0.75, 0.75, 0.75 }, r.each)
    assert.are.equal(1.0, r.vote)
    assert.are.equal(0.25, r.agree)
  end)

  it("trains each network from its own seed", function()
    local seeds = {}
    local nets = lunet.ensemble.train(3, function(i)
      seeds[i] = lunet.rand(1)[1]   -- the first draw after the seed
      return small_net("relu")
    end, { seed = 7 })
    assert.are.equal(3, #nets)
    assert.are_not.equal(seeds[1], seeds[2])
    lunet.seed(8)
    assert.are.equal(lunet.rand(1)[1], seeds[2])
    local training = bars(100, 65)
    for _, net in ipairs(nets) do
      net:SGD(training, 3, 10, 0.1, nil, nil, 0, { out = { write = function() end, flush = function() end },
        progress = false })
    end
    local r = lunet.ensemble.evaluate(nets, bars(40, 66))
    assert.is_true(r.vote >= 0.9, "vote " .. r.vote)
  end)

  it("refuses what is not a list of networks", function()
    assert.has_error(function() lunet.ensemble.vote({}, lunet.zeros(1, 1)) end,
      "an ensemble is a non-empty list of networks")
    assert.has_error(function() lunet.ensemble.vote({ 3 }, lunet.zeros(1, 1)) end,
      "ensemble: element 1 is not a network")
    assert.has_error(function() lunet.ensemble.train(0, function() end) end,
      "ensemble.train: k must be a positive integer")
  end)
end)
