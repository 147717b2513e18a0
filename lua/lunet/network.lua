-- lunet.Network: the book's network2.py in three lines.
--
--   local net = lunet.Network{784, 30, 10}
--   local ev_cost, ev_acc, tr_cost, tr_acc = net:SGD(training, 30, 10, 0.5,
--     { lambda = 5.0, evaluation_data = validation, monitor_evaluation_accuracy = true })
--   print(net:accuracy(test), "/", test.n)
--
-- Defaults are those of the book's improved program: sigmoid neurons,
-- the cross-entropy cost, weights ~ N(0, 1/n_in), biases ~ N(0, 1).
-- Options: cost = "cross_entropy" | "quadratic" | "log_likelihood" (ends
-- with a softmax layer), init = "default" | "large" | "he" | "xavier" |
-- "zeros", activation = a name or a list with one name per layer
-- ("sigmoid", "tanh", "relu", "identity"), dtype = "float32" | "float64".
--
-- A Network is a Sequential of Linear and activation layers, so the layer
-- API (forward, backward, parameters, save ...) works on it too. Unlike the
-- book, lists are 1-based: net.weights[1] is the (30, 784) matrix of the
-- first layer, net.biases[1] its 30 biases; net.grad_weights[l] and
-- net.grad_biases[l] are their gradients after a backward pass.

local json = require "lunet.json"
local options = require "lunet.opts"
local nn = require "lunet.nn"
local core = require "lunet.core"
local train = require "lunet.train"

local Sequential = nn.Sequential

local Network = {}
Network.__name = "Network"
Network.__tostring = Sequential.__tostring

local function layer_view(self, field)
  return setmetatable({}, {
    __index = function(_, l)
      local layer = self._layers[2 * l - 1]
      if math.type(l) ~= "integer" or not layer then return nil end
      return layer[field]
    end,
    __len = function() return #self.sizes - 1 end,
  })
end

local VIEWS = { weights = "weight", biases = "bias", grad_weights = "grad_weight", grad_biases = "grad_bias" }

function Network.__index(self, key)
  if VIEWS[key] then return layer_view(self, VIEWS[key]) end
  return Network[key] or Sequential[key]
end

local COSTS = { cross_entropy = true, quadratic = true, log_likelihood = true }

local function activations(opts, n)
  local a = opts.activation or "sigmoid"
  if type(a) == "table" and rawlen(a) ~= n then
    error(("Network: activation lists %d names for %d layers"):format(rawlen(a), n), 3)
  end
  local out = {}
  for l = 1, n do out[l] = type(a) == "table" and rawget(a, l) or a end
  if opts.cost == "log_likelihood" then out[n] = "softmax" end
  return out
end

local OPTIONS = { "cost", "init", "activation", "dtype" }

-- Network{784, 30, 10, activation = "tanh"} is Network({784, 30, 10},
-- {activation = "tanh"}); options in both places are an error.
local function arguments(sizes, opts)
  if type(sizes) ~= "table" then return sizes, opts end
  local list, named = options.split(sizes)
  if next(named) ~= nil then
    if opts ~= nil then error("Network: give the options in the sizes table or as a second table, not both", 3) end
    return list, options.check("Network", named, OPTIONS, 3)
  end
  return list, options.check("Network", opts, OPTIONS, 3)
end

local function new(sizes, opts)
  sizes, opts = arguments(sizes, opts)
  if type(sizes) ~= "table" or #sizes < 2 then
    error("Network takes a list of at least two layer sizes, e.g. {784, 30, 10}", 2)
  end
  for i, s in ipairs(sizes) do
    if math.type(s) ~= "integer" or s < 1 then
      error(("Network: size %d must be a positive integer, got %s"):format(i, tostring(s)), 2)
    end
  end
  local cost = opts.cost or "cross_entropy"
  if not COSTS[cost] then
    error(("Network: unknown cost '%s' (cross_entropy, quadratic, log_likelihood)"):format(tostring(cost)), 2)
  end
  local acts = activations(opts, #sizes - 1)
  local layers = {}
  for l = 1, #sizes - 1 do
    layers[#layers + 1] = nn.Linear(sizes[l], sizes[l + 1], { init = opts.init })
    layers[#layers + 1] = nn.activation(acts[l])
  end
  local seq = Sequential(layers, { cost = cost, dtype = opts.dtype })
  local self = setmetatable(seq, Network)
  self.sizes = { table.unpack(sizes) }
  self.num_layers = #sizes
  return self
end

-- The output for one input (a vector) or for a batch (samples, n_in).
function Network:feedforward(a)
  return self:predict(a)
end

-- The book's SGD(training_data, epochs, mini_batch_size, eta, lmbda = 0,
-- evaluation_data = None, monitor_* = False), with the keyword arguments
-- in a table (lambda or lmbda), plus every option of lunet.train.sgd.
-- Returns evaluation cost, evaluation accuracy, training cost, training
-- accuracy (per epoch, accuracies as counts as in the book) and the
-- full history.
function Network:SGD(training_data, epochs, mini_batch_size, eta, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  if type(o.lambda) == "nil" and type(o.lmbda) ~= "nil" then o.lambda, o.lmbda = o.lmbda, nil end
  o.epochs, o.batch, o.eta = epochs, mini_batch_size, eta
  return train.sgd(self, training_data, o)
end

-- Number of inputs whose largest output is the right class (the book's accuracy).
function Network:accuracy(data)
  return train.correct(self, data)
end

-- The book's total_cost: mean cost plus (lambda / 2n) * sum of squared weights.
function Network:total_cost(data, lambda)
  return (train.evaluate(self, data, lambda or 0))
end

-- ||dC/db|| (and ||dC/dW||) per layer, C averaged over data: the speed of learning.
function Network:gradient_norms(data)
  return train.gradient_norms(self, data)
end

function Network.load(path)
  return require("lunet.model").load(path)
end

-- Networks written by the book's network2.py save(): a JSON object with
-- sizes, weights, biases and cost ("CrossEntropyCost" or "QuadraticCost").
function Network.load_json(path)
  local ok, doc = pcall(json.decode_file, path)   -- refuses FIFOs and devices
  if not ok then error("Network.load_json: " .. doc, 2) end
  local costs = { CrossEntropyCost = "cross_entropy", QuadraticCost = "quadratic" }
  if type(doc) ~= "table" or type(doc.sizes) ~= "table" or type(doc.weights) ~= "table"
    or type(doc.biases) ~= "table" or not costs[doc.cost] then
    error(("Network.load_json: %s is not a network2.py file (sizes, weights, biases, cost)"):format(path), 2)
  end
  local net = new(doc.sizes, { cost = costs[doc.cost] })
  for l = 1, #doc.sizes - 1 do
    local w = core.tensor(doc.weights[l], "float64")
    local b = core.tensor(doc.biases[l], "float64")
    local ws, bs = w:shape(), b:shape()
    if ws[1] ~= doc.sizes[l + 1] or ws[2] ~= doc.sizes[l] or b:numel() ~= doc.sizes[l + 1] or #bs > 2 then
      error(("Network.load_json: %s: layer %d has the wrong shape"):format(path, l), 2)
    end
    net.weights[l]:copy(w)
    net.biases[l]:copy(b)
  end
  return net
end

-- Makes a Sequential of alternating Linear and activation layers a Network.
function Network.adopt(seq)
  local sizes = {}
  for i, layer in ipairs(seq._layers) do
    local t = layer.spec.type
    if (i % 2 == 1) ~= (t == "dense") or (i % 2 == 0 and t ~= "act" and t ~= "softmax") then return nil end
    if i % 2 == 1 then
      sizes[#sizes + 1] = layer.spec.n_in
      if i == #seq._layers - 1 then sizes[#sizes + 1] = layer.spec.n_out end
    end
  end
  if #seq._layers % 2 == 1 or not seq:cost() then return nil end
  local self = setmetatable(seq, Network)
  self.sizes, self.num_layers = sizes, #sizes
  return self
end

return setmetatable(Network, { __call = function(_, ...) return new(...) end })
