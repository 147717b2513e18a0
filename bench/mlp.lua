-- bench/mlp.lua: lunet's side of the MLP benchmark (bench/torch_mlp.py is
-- PyTorch's). Nielsen's network2: 784-30-10 sigmoid, cross-entropy,
-- weights N(0, 1/n_in), biases N(0, 1), SGD with the book's L2 decay.
--
--   lua5.4 bench/mlp.lua --mode time --repeat 5      one JSON line, median epoch seconds
--   lua5.4 bench/mlp.lua --mode train --epochs 30    per-epoch validation accuracy, JSON last
--   lua5.4 bench/mlp.lua --mode time --optimizer adam  Adam with its defaults (eta 0.001,
--                                                      betas 0.9, 0.999, eps 1e-8, no L2)
--   lua5.4 bench/mlp.lua --mode infer --repeat 5     predictions on the 10,000 test images
--
-- Timing covers what core.train_epoch does (shuffle, gather, forward,
-- backward, update for all 50,000 images), after an untimed warm-up epoch
-- on 2,000 images, as PyTorch's side warms up first too.

local lunet = require "lunet"

local opts = require("lunet.cli").parse(arg, {
  { "mode", "time", "time, infer or train" },
  { "images", 0, "train on the first N training images (0: all; the bench's quick mode)" },
  { "data", "fashion", "fashion or mnist" },
  { "repeat", 5, "timed epochs (time mode); the median is reported" },
  { "epochs", 30, "epochs (train mode)" },
  { "batch", 10, "mini-batch size" },
  { "eta", 0.1, "learning rate" },
  { "lmbda", 5.0, "L2 regularisation" },
  { "hidden", 30, "hidden neurons" },
  { "threads", 1, "lunet threads" },
  { "seed", 1, "random seed" },
  { "optimizer", "sgd", "sgd (the book's, with L2) or adam (its defaults; time mode)" },
}, "lunet's side of the MLP benchmark")
if opts.optimizer ~= "sgd" and opts.optimizer ~= "adam" then error("--optimizer must be sgd or adam") end
if opts.optimizer == "adam" and opts.mode ~= "time" then
  error("--optimizer adam is a timing workload: use --mode time")
end

lunet.seed(opts.seed)
lunet.threads(opts.threads)
local common = dofile(arg[0]:gsub("[^/]*$", "") .. "common.lua")
local json_list = common.json_list
local training, validation, test = lunet.data.load(opts.data)
training = common.subset(training, opts.images)
local sizes = { 784, opts.hidden, 10 }
local net = lunet.Network(sizes)
local layers = { { sizes[1], sizes[2] }, { sizes[2], sizes[3] } }

if opts.mode == "infer" then
  local core = require "lunet.core"
  local median, times, correct, cpu = common.time_inference(net, test, opts["repeat"])
  print(('{"framework": "lunet", "what": "mlp-infer", "seconds": %.6g, "sizes": [%d, %d, %d], "threads": %d, '
    .. '"all": %s, "cpu_seconds": %s, "correct": %d, "test_images": %d, "flops": %.6g, "data": "%s", "blas": "%s", '
    .. '"peak_rss_mb": %.1f}'):format(median, sizes[1], sizes[2], sizes[3], opts.threads, json_list(times),
    json_list(cpu), correct, test.n, common.product_flops(layers, false) * test.n, opts.data, core.blas_core(),
    common.peak_rss_mb() or 0))
elseif opts.mode == "time" then
  local core = require "lunet.core"
  local optimizer = opts.optimizer == "adam" and { kind = "adam", n = training.n }
    or { eta = opts.eta, reg = "l2", lambda = opts.lmbda, n = training.n }
  local median, times, cpu = common.time_epochs(net, training, opts.batch, optimizer, opts["repeat"])
  print(('{"framework": "lunet", "what": "mlp-epoch", "seconds": %.6g, "batch": %d, "sizes": [%d, %d, %d], '
    .. '"threads": %d, "all": %s, "cpu_seconds": %s, "images": %d, "data": "%s", "blas": "%s", "optimizer": "%s", '
    .. '"flops": %.6g, "peak_rss_mb": %.1f}'):format(
    median, opts.batch, sizes[1], sizes[2], sizes[3], opts.threads, json_list(times), json_list(cpu),
    training.n, opts.data, core.blas_core(), opts.optimizer, common.product_flops(layers, true) * training.n,
    common.peak_rss_mb() or 0))
else
  local _, accuracy, _, _, h = net:SGD(training, opts.epochs, opts.batch, opts.eta, {
    lambda = opts.lmbda, evaluation_data = validation, monitor_evaluation_accuracy = true, progress = false,
  })
  local test_accuracy = net:accuracy(test)
  local fractions = {}
  for i, c in ipairs(accuracy) do fractions[i] = c / validation.n end
  print(('{"framework": "lunet", "what": "mlp-train", "test_accuracy": %.4f, "best_validation_accuracy": %.4f, '
    .. '"best_validation_epoch": %d, "validation_accuracy": %s, "epochs": %d, "sizes": [%d, %d, %d], '
    .. '"batch": %d, "eta": %g, "lmbda": %g, "seed": %d, "data": "%s"}'):format(
    test_accuracy, h.best_accuracy, h.best_epoch, json_list(fractions), opts.epochs, sizes[1], sizes[2], sizes[3],
    opts.batch, opts.eta, opts.lmbda, opts.seed, opts.data))
end
