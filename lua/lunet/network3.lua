-- lunet.network3: the vocabulary of the book's network3.py (chapter 6).
--
--   local n3 = lunet.network3
--   local net = n3.Network({
--     n3.ConvPoolLayer { image_shape = {1, 28, 28}, filter_shape = {20, 1, 5, 5}, poolsize = {2, 2},
--                        activation = "relu" },
--     n3.ConvPoolLayer { image_shape = {20, 12, 12}, filter_shape = {40, 20, 5, 5}, poolsize = {2, 2},
--                        activation = "relu" },
--     n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = "relu", p_dropout = 0.5 },
--     n3.SoftmaxLayer { n_in = 100, n_out = 10, p_dropout = 0.5 },
--   }, 10)
--   net:SGD(training, 60, 10, 0.03, validation, test, 0.1)
--
-- As in network3.py: a convolution-pooling layer convolves, max-pools, then
-- applies its activation (sigmoid by default, or "tanh", "relu",
-- "linear"); weights start as N(0, 1/n_out) with n_out = maps * kernel area /
-- pool area for convolutions and the layer's outputs for fully connected
-- ones, biases as N(0, 1), and the softmax layer at zero. Dropout drops a
-- layer's inputs with p_dropout while training (lunet's dropout is inverted:
-- the expected activations equal those at evaluation, as network3's scaling
-- of the weights by 1 - p achieves). The cost is the log-likelihood.
--
-- SGD's lmbda is network3's: the cost gains 0.5 * lmbda * sum(w^2) /
-- (number of mini-batches), which is the book's L2 with lambda = lmbda *
-- mini_batch_size. Unlike network3, the training data are shuffled every
-- epoch. The layers are ordinary lunet layers: the result is a Sequential.

local errors = require "lunet.errors"
local nn = require "lunet.nn"
local options = require "lunet.opts"
local train = require "lunet.train"

local network3 = {}

local function act(name)
  name = name or "sigmoid"
  if name == "ReLU" then name = "relu" end
  return nn.activation(name)
end

local function pair(t, what)
  if type(t) ~= "table" or t[1] ~= t[2] then errors.raise(("network3: %s must be square, e.g. {2, 2}"):format(what)) end
  return t[1]
end

-- A table argument with the given keys; a missing one is an error.
local function block_args(fname, o, valid, required)
  if type(o) ~= "table" then errors.raise(("%s: expected a table of arguments, got %s"):format(fname, type(o))) end
  options.check(fname, o, valid)
  for _, k in ipairs(required) do
    if o[k] == nil then errors.raise(("%s: '%s' is required"):format(fname, k)) end
  end
  return o
end

local function list_of(fname, t, key, counts)
  if type(t) ~= "table" or not counts[rawlen(t)] then
    errors.raise(("%s: %s must be a list of integers, e.g. %s"):format(fname, key, counts.example))
  end
  for i = 1, rawlen(t) do
    if math.type(rawget(t, i)) ~= "integer" then
      errors.raise(("%s: %s[%d] must be an integer, got %s"):format(fname, key, i, tostring(rawget(t, i))))
    end
  end
end

--- network3.ConvPoolLayer{image_shape =, filter_shape =, poolsize = {2, 2}, activation = "sigmoid"} -> block
-- network3.py's convolution-pooling layer: filter_shape {maps, c_in, k, k}
-- convolves images of image_shape {c_in, h, w} (a leading mini-batch size, as
-- in network3.py, is allowed and ignored), max-pools by poolsize, then applies
-- the activation ("sigmoid", "tanh", "relu" or network3.ReLU, "linear").
-- Returns the block's layers (Conv2d, MaxPool, activation) as a list, with the
-- per-sample input shape as .shape.
function network3.ConvPoolLayer(o)
  block_args("network3.ConvPoolLayer", o, { "image_shape", "filter_shape", "poolsize", "activation" },
    { "image_shape", "filter_shape" })
  list_of("network3.ConvPoolLayer", o.filter_shape, "filter_shape", { [4] = true, example = "{20, 1, 5, 5}" })
  list_of("network3.ConvPoolLayer", o.image_shape, "image_shape", { [3] = true, [4] = true, example = "{1, 28, 28}" })
  local maps, c_in, k = o.filter_shape[1], o.filter_shape[2], pair({ o.filter_shape[3], o.filter_shape[4] },
    "filter_shape")
  local pool = pair(o.poolsize or { 2, 2 }, "poolsize")
  local image = o.image_shape
  if #image == 4 then image = { image[2], image[3], image[4] } end   -- network3 includes the mini-batch size
  if image[1] ~= c_in then
    errors.raise("network3.ConvPoolLayer: image_shape and filter_shape disagree on input maps")
  end
  local n_out = maps * k * k / (pool * pool)
  return { shape = image,
    nn.Conv2d(c_in, maps, k, { init = { w_std = math.sqrt(1 / n_out), b_std = 1 } }),
    nn.MaxPool(pool), act(o.activation) }
end

-- A fully connected block: dropout of its inputs when p_dropout > 0, then
-- the given layers.
local function dense_args(fname, o, valid)
  block_args(fname, o, valid, { "n_in", "n_out" })
  for _, k in ipairs { "n_in", "n_out" } do
    if math.type(o[k]) ~= "integer" or o[k] < 1 then
      errors.raise(("%s: %s must be a positive integer, got %s"):format(fname, k, tostring(o[k])))
    end
  end
  local p = o.p_dropout
  if p ~= nil and (type(p) ~= "number" or not (p >= 0 and p < 1)) then
    errors.raise(("%s: p_dropout must be in [0, 1), got %s"):format(fname, tostring(p)))
  end
end

local function dense_block(o, ...)
  local layers = { shape = { o.n_in } }
  if (o.p_dropout or 0) > 0 then layers[1] = nn.Dropout(o.p_dropout) end
  for _, layer in ipairs { ... } do layers[#layers + 1] = layer end
  return layers
end

--- network3.FullyConnectedLayer{n_in =, n_out =, activation = "sigmoid", p_dropout = 0} -> block
-- network3.py's fully connected layer: dropout of its inputs with p_dropout
-- while training (when > 0), a Linear (weights N(0, 1/n_out), biases N(0, 1))
-- and the activation.
function network3.FullyConnectedLayer(o)
  dense_args("network3.FullyConnectedLayer", o, { "n_in", "n_out", "activation", "p_dropout" })
  return dense_block(o, nn.Linear(o.n_in, o.n_out, { init = { w_std = math.sqrt(1 / o.n_out), b_std = 1 } }),
    act(o.activation))
end

--- network3.SoftmaxLayer{n_in =, n_out =, p_dropout = 0} -> block
-- network3.py's output layer: dropout of its inputs when p_dropout > 0, a
-- Linear starting at zero and a softmax (the cost is the log-likelihood).
function network3.SoftmaxLayer(o)
  dense_args("network3.SoftmaxLayer", o, { "n_in", "n_out", "p_dropout" })
  return dense_block(o, nn.Linear(o.n_in, o.n_out, { init = "zeros" }), nn.Softmax())
end

local Network3 = setmetatable({}, { __index = nn.Sequential })   -- for tab completion
Network3.__index = function(_, key) return Network3[key] or nn.Sequential[key] end
Network3.__name = "network3.Network"
Network3.__tostring = nn.Sequential.__tostring

--- network3.Network(blocks [, mini_batch_size = 10 [, {dtype =}]]) -> network
-- network3.py's Network: the layers of the blocks (ConvPoolLayer,
-- FullyConnectedLayer, SoftmaxLayer) as one Sequential with the
-- log-likelihood cost, its input shape from the first block. The result has
-- every Sequential method plus net:SGD (network3's arguments) and
-- net:accuracy (a fraction).
function network3.Network(blocks, mini_batch_size, opts)
  opts = options.check("network3.Network", opts, { "dtype" })
  if type(blocks) ~= "table" or #blocks == 0 then
    errors.raise("network3.Network: expected a non-empty list of layers")
  end
  if mini_batch_size ~= nil and (math.type(mini_batch_size) ~= "integer" or mini_batch_size < 1) then
    errors.fail("network3.Network", "mini_batch_size must be a positive integer, got %s", tostring(mini_batch_size))
  end
  local layers = {}
  for _, block in ipairs(blocks) do
    for _, layer in ipairs(block) do layers[#layers + 1] = layer end
  end
  local seq = nn.Sequential(layers, { input = blocks[1].shape, cost = "log_likelihood", dtype = opts.dtype })
  local self = setmetatable(seq, Network3)
  self.mini_batch_size = mini_batch_size or 10
  return self
end

-- The options network3's SGD takes (checked: see below).
local SGD_OPTIONS = { "momentum", "nesterov", "optimizer", "gradient_norms", "progress", "out", "on_epoch",
  "interruptible", "checkpoint", "checkpoint_every", "resume" }

--- net:SGD(training_data, epochs, mini_batch_size, eta, validation_data, test_data, lmbda [, opts]) -> best, test, h
-- network3.py's SGD. mini_batch_size nil means the network's own. Prints network3's lines and
-- returns the best validation accuracy, the test accuracy at that epoch
-- (both fractions) and the history. Without validation data it only trains
-- (and returns nil, nil, history).
-- Options: momentum, nesterov, optimizer, gradient_norms, progress, out, on_epoch, interruptible, and
-- checkpoint, checkpoint_every, resume as in lunet.train.sgd (the best
-- validation and test accuracies so far are kept in the history, as
-- history.network3, so a resumed run reports what the whole run would).
-- Any other key is an error.
function Network3:SGD(training_data, epochs, mini_batch_size, eta, validation_data, test_data, lmbda, opts)
  errors.method(self, "network3.Network:SGD")
  -- checked like every option table: a misspelt checkpoint or resume would
  -- otherwise train, silently, without one
  opts = options.check("network3.Network:SGD", opts, SGD_OPTIONS)
  if opts.on_epoch and type(opts.on_epoch) ~= "function" then
    errors.fail("network3.Network:SGD", "on_epoch must be a function")
  end
  mini_batch_size = mini_batch_size or self.mini_batch_size
  local out = opts.out or io.stdout
  local o = { epochs = epochs, batch = mini_batch_size, eta = eta, lambda = (lmbda or 0) * mini_batch_size,
    evaluation_data = validation_data, monitor_evaluation_accuracy = true, verbose = false,
    progress = opts.progress, out = opts.out }
  for _, k in ipairs { "momentum", "nesterov", "optimizer", "gradient_norms", "checkpoint", "checkpoint_every",
    "resume", "interruptible" } do
    o[k] = opts[k]
  end
  o.on_epoch = function(epoch, h)
    h.network3 = h.network3 or { best = -1, best_epoch = 0 }
    local n3 = h.network3
    local acc = h.evaluation_accuracy and h.evaluation_accuracy[epoch]
    if not acc then
      out:write(("Epoch %d: done\n"):format(epoch - 1))
    else
      out:write(("Epoch %d: validation accuracy %.2f%%\n"):format(epoch - 1, 100 * acc))
    end
    if acc and acc >= n3.best then
      n3.best, n3.best_epoch = acc, epoch
      out:write("This is the best validation accuracy to date.\n")
      if test_data then
        n3.best_test = self:accuracy(test_data)
        out:write(("The corresponding test accuracy is %.2f%%\n"):format(100 * n3.best_test))
      end
    end
    out:flush()
    if opts.on_epoch then return opts.on_epoch(epoch, h) end
  end
  local _, _, _, _, history = train.sgd(self, training_data, o, "network3.Network:SGD")
  local n3 = history.network3 or { best = -1, best_epoch = 0 }
  local best, best_test, best_epoch = n3.best, n3.best_test, n3.best_epoch
  out:write("Finished training network.\n")
  if best >= 0 then
    out:write(("Best validation accuracy of %.2f%% obtained at epoch %d\n"):format(100 * best, best_epoch - 1))
  end
  if best_test then out:write(("Corresponding test accuracy of %.2f%%\n"):format(100 * best_test)) end
  if best < 0 then return nil, nil, history end
  return best, best_test, history
end

network3.ReLU, network3.sigmoid, network3.tanh, network3.linear = "relu", "sigmoid", "tanh", "identity"

return network3
