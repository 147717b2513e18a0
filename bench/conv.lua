-- bench/conv.lua: lunet's side of the convolutional benchmark
-- (bench/torch_conv.py is PyTorch's): the book's chapter-6 network, two
-- convolution-pooling layers (20 then 40 maps, 5x5, 2x2 max-pooling), a
-- fully connected layer of 100 and a softmax, log-likelihood cost, network3's
-- initialisation and L2 term.
--
--   lua5.4 bench/conv.lua --mode time --repeat 1      one JSON line, median epoch seconds
--   lua5.4 bench/conv.lua --mode train --epochs 20    per-epoch validation accuracy, JSON last

local lunet = require "lunet"
local n3 = lunet.network3

local opts = require("lunet.cli").parse(arg, {
  { "mode", "time", "time or train" },
  { "data", "fashion", "fashion or mnist" },
  { "repeat", 1, "timed epochs (time mode); the median is reported" },
  { "epochs", 60, "epochs (train mode)" },
  { "batch", 10, "mini-batch size" },
  { "eta", 0.03, "learning rate" },
  { "lmbda", 0.1, "network3's L2 regularisation" },
  { "activation", "relu", "relu or sigmoid" },
  { "threads", 1, "lunet threads" },
  { "seed", 1, "random seed" },
}, "lunet's side of the convolutional benchmark")

lunet.seed(opts.seed)
lunet.threads(opts.threads)
local training, validation, test = lunet.data.load(opts.data)
local a = opts.activation
local net = n3.Network({
  n3.ConvPoolLayer { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, poolsize = { 2, 2 }, activation = a },
  n3.ConvPoolLayer { image_shape = { 20, 12, 12 }, filter_shape = { 40, 20, 5, 5 }, poolsize = { 2, 2 },
    activation = a },
  n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = a },
  n3.SoftmaxLayer { n_in = 100, n_out = 10 },
}, opts.batch)

local common = dofile(arg[0]:gsub("[^/]*$", "") .. "common.lua")
local json_list = common.json_list

if opts.mode == "time" then
  local core = require "lunet.core"
  local median, times = common.time_epochs(net, training, opts.batch,
    { eta = opts.eta, reg = "l2", lambda = opts.lmbda * opts.batch, n = training.n }, opts["repeat"])
  print(('{"framework": "lunet", "what": "conv-epoch", "seconds": %.6g, "batch": %d, "activation": "%s", '
    .. '"threads": %d, "all": %s, "images": %d, "data": "%s", "blas": "%s"}'):format(median,
    opts.batch, a, opts.threads, json_list(times), training.n, opts.data, core.blas_core()))
else
  local fractions = {}
  local best, best_test, h = net:SGD(training, opts.epochs, opts.batch, opts.eta, validation, test, opts.lmbda, {
    progress = false, on_epoch = function(epoch, hist) fractions[epoch] = hist.evaluation_accuracy[epoch] end,
  })
  local test_accuracy = net:accuracy(test)
  print(('{"framework": "lunet", "what": "conv-train", "test_accuracy": %.4f, "best_validation_accuracy": %.4f, '
    .. '"best_validation_epoch": %d, "test_accuracy_at_best_validation": %.4f, "validation_accuracy": %s, '
    .. '"epochs": %d, "activation": "%s", "batch": %d, "eta": %g, "lmbda": %g, "seed": %d, "data": "%s"}'):format(
    test_accuracy, best, h.best_epoch - 1, best_test, json_list(fractions), opts.epochs, a, opts.batch, opts.eta,
    opts.lmbda, opts.seed, opts.data))
end
