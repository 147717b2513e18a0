-- bench/conv.lua: lunet's side of the convolutional benchmark
-- (bench/torch_conv.py is PyTorch's): the book's chapter-6 network, two
-- convolution-pooling layers (20 then 40 maps, 5x5, 2x2 max-pooling), a
-- fully connected layer of 100 and a softmax, log-likelihood cost, network3's
-- initialisation and L2 term.
--
--   lua5.4 bench/conv.lua --mode time --repeat 1      one JSON line, median epoch seconds
--   lua5.4 bench/conv.lua --mode train --epochs 20    per-epoch validation accuracy, JSON last
--   lua5.4 bench/conv.lua --mode infer --repeat 3     predictions on the 10,000 test images
--   lua5.4 bench/conv.lua --mode profile --images 10000  one epoch under lunet.profile, the table

local lunet = require "lunet"
local n3 = lunet.network3

local opts = require("lunet.cli").parse(arg, {
  { "mode", "time", "time, infer, profile or train" },
  { "images", 0, "train on the first N training images (0: all; the bench's quick mode)" },
  { "data", "fashion", "fashion or mnist" },
  { "repeat", 1, "timed epochs (time mode); the median is reported" },
  { "epochs", 60, "epochs (train mode)" },
  { "batch", 10, "mini-batch size" },
  { "eta", 0.03, "learning rate" },
  { "lmbda", 0.1, "network3's L2 regularisation" },
  { "activation", "relu", "relu or sigmoid" },
  { "threads", 1, "lunet threads" },
  { "seed", 1, "random seed" },
  { "clock", "wall", "profile mode: wall, or cpu (the calling thread's CPU time: steadier on a shared machine)" },
}, "lunet's side of the convolutional benchmark")

lunet.seed(opts.seed)
lunet.threads(opts.threads)
local common = dofile(arg[0]:gsub("[^/]*$", "") .. "common.lua")
local json_list = common.json_list
local training, validation, test = lunet.data.load(opts.data)
training = common.subset(training, opts.images)
local a = opts.activation
local net = n3.Network({
  n3.ConvPoolLayer { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, poolsize = { 2, 2 }, activation = a },
  n3.ConvPoolLayer { image_shape = { 20, 12, 12 }, filter_shape = { 40, 20, 5, 5 }, poolsize = { 2, 2 },
    activation = a },
  n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = a },
  n3.SoftmaxLayer { n_in = 100, n_out = 10 },
}, opts.batch)

-- the products: conv 1 (25 -> 20 maps at 24x24), conv 2 (500 -> 40 at 8x8), FC 640 -> 100, softmax 100 -> 10
local layers = { { 25, 20, 576 }, { 500, 40, 64 }, { 640, 100 }, { 100, 10 } }
local core = require "lunet.core"
local optimizer = { eta = opts.eta, reg = "l2", lambda = opts.lmbda * opts.batch, n = training.n }

if opts.mode == "time" then
  local median, times = common.time_epochs(net, training, opts.batch, optimizer, opts["repeat"])
  print(('{"framework": "lunet", "what": "conv-epoch", "seconds": %.6g, "batch": %d, "activation": "%s", '
    .. '"threads": %d, "all": %s, "images": %d, "data": "%s", "blas": "%s", "flops": %.6g, '
    .. '"peak_rss_mb": %.1f}'):format(median, opts.batch, a, opts.threads, json_list(times), training.n, opts.data,
    core.blas_core(), common.product_flops(layers, true) * training.n, common.peak_rss_mb() or 0))
elseif opts.mode == "infer" then
  local median, times, correct = common.time_inference(net, test, opts["repeat"])
  print(('{"framework": "lunet", "what": "conv-infer", "seconds": %.6g, "activation": "%s", "threads": %d, '
    .. '"all": %s, "correct": %d, "test_images": %d, "flops": %.6g, "data": "%s", "blas": "%s", '
    .. '"peak_rss_mb": %.1f}'):format(median, a, opts.threads, json_list(times), correct, test.n,
    common.product_flops(layers, false) * test.n, opts.data, core.blas_core(), common.peak_rss_mb() or 0))
elseif opts.mode == "profile" then
  local m = net:net()
  local optim = core.optimizer(m, optimizer)
  core.train_epoch(m, optim, common.subset(training, 2000), opts.batch, { progress = false })
  lunet.profile(true, opts.clock)
  core.train_epoch(m, optim, training, opts.batch, { progress = false })
  print(lunet.profile_text())
  lunet.profile(false)
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
