-- examples/learning_speed.lua: the speed at which each hidden layer learns
-- (the book's chapter 5 figures and table).
--
--   bin/lunet examples/learning_speed.lua [--data mnist|fashion|auto] [--epochs 500]
--                                         [--seeds 5] [--activation sigmoid|relu|tanh] [--init ...]
--
-- 1,000 training images, full-batch gradient descent (one step per epoch
-- over all of them), eta 0.1, lambda 5.0, cross-entropy cost, networks with
-- 2, 3 and 4 hidden layers of 30 neurons. The speed of learning of layer l
-- is ||dC/db^l||, the norm of the gradient over its biases, the book's
-- ||delta^l||. Prints the initial speeds averaged over --seeds
-- initialisations beside the book's table, and writes
-- out/learning_speed[_<activation>].svg: the speed of every hidden layer per
-- epoch on a log scale, one panel per network.

local lunet = require "lunet"
local plot = lunet.plot

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 500, "epochs of full-batch gradient descent", "count" },
  { "images", 1000, "training images", "count" },
  { "seeds", 5, "initialisations averaged for the table of initial speeds", "count" },
  { "activation", "sigmoid", "hidden neurons: sigmoid, tanh or relu", { "sigmoid", "tanh", "relu" } },
  { "init", "default", "weights: default (N(0, 1/n_in)), large, he, xavier", { "default", "large", "he", "xavier" } },
  { "eta", 0.1, "learning rate", "positive" },
  { "lambda", 5.0, "L2 regularisation", "nonnegative" },
  { "seed", 1, "first random seed", "integer" },
  { "out", "out", "directory for the plot", "dir" },
}, "The speed of learning of each hidden layer, per epoch.")

local BOOK = { { 0.07, 0.31 }, { 0.012, 0.060, 0.283 }, { 0.003, 0.017, 0.070, 0.285 } }

local training, _, _, name = cli.load_data(opts.data)
cli.at_most("images", opts.images, training.n, "the training set")
local data = { x = training.x:narrow(1, 1, opts.images), y = training.y:narrow(1, 1, opts.images) }
local suffix = opts.activation == "sigmoid" and "" or "_" .. opts.activation

local function network(hidden)
  local sizes, acts = { 784 }, {}
  for l = 1, hidden do
    sizes[#sizes + 1] = 30
    acts[l] = opts.activation
  end
  sizes[#sizes + 1] = 10
  acts[hidden + 1] = "sigmoid"
  return lunet.Network(sizes, { activation = acts, init = opts.init }), table.concat(sizes, "-")
end

print(("%s, %d images, %s neurons, init %s; initial speeds averaged over %d seeds"):format(name, opts.images,
  opts.activation, opts.init, opts.seeds))
print(("\n%-22s %-34s %s"):format("network", "lunet: ||dC/db|| per hidden layer", "book (MNIST, sigmoid)"))
for hidden = 2, 4 do
  local mean = {}
  for s = 0, opts.seeds - 1 do
    lunet.seed(opts.seed + s)
    local net = network(hidden)
    local bias = net:gradient_norms(data)
    for l = 1, hidden do mean[l] = (mean[l] or 0) + bias[l] / opts.seeds end
  end
  local _, label = network(hidden)
  local shown = {}
  for l = 1, hidden do shown[l] = ("%.3f"):format(mean[l]) end
  print(("%-22s %-34s %s   (first/last %.3f)"):format(label, table.concat(shown, ", "),
    table.concat(BOOK[hidden - 1], ", "), mean[1] / mean[hidden]))
end

print(("\nfull-batch gradient descent, %d epochs, eta %g, lambda %g:"):format(opts.epochs, opts.eta, opts.lambda))
local charts = {}
for hidden = 2, 4 do
  lunet.seed(opts.seed)
  local net, label = network(hidden)
  local _, _, _, _, h = net:SGD(data, opts.epochs, opts.images, opts.eta, {
    lambda = opts.lambda, gradient_norms = { data = data }, verbose = false, progress = false,
  })
  local series, ends = {}, {}
  for l = 1, hidden do
    series[l] = { name = ("hidden layer %d"):format(l), x = h.gradient_norms.epoch, y = h.gradient_norms.bias[l] }
    ends[l] = ("%.4f"):format(h.gradient_norms.bias[l][#h.gradient_norms.bias[l]])
  end
  print(("  %-20s speeds after the last epoch: %s"):format(label, table.concat(ends, ", ")))
  charts[#charts + 1] = plot.line { title = label, xlabel = "epoch", ylabel = "speed of learning ||dC/db||",
    logy = true, series = series, width = 490, height = 360, marks = { { x = 0, label = "before training" } } }
end
local file = ("%s/learning_speed%s.svg"):format(opts.out, suffix)
plot.grid { charts = charts, cols = 2,
  title = ("Speed of learning per hidden layer (%s, %s, %d images, full batch)"):format(name, opts.activation,
    opts.images), file = file }
print("plot: " .. file)
