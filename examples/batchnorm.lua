-- examples/batchnorm.lua: the deep sigmoid network of the unstable-gradients
-- experiment (784-30-30-30-30-10), without and with batch normalisation.
--
--   bin/lunet examples/batchnorm.lua [--data mnist|fashion|auto] [--epochs 30] [--out out]
--
-- Both networks have the same layers, initial weights drawn the same way
-- and the book's settings (cross-entropy, eta 0.1, lambda 5.0, mini-batches
-- of 10); the second puts a BatchNorm between each hidden layer's weighted
-- input and its sigmoid. After every epoch the gradients are measured on
-- 1,000 training images, per hidden layer:
--   ||dC/dW||   of the layer's weights, in both networks;
--   ||dC/db||   of its biases; with batch norm the bias is beta, the shift
--               after normalising (the layer's own bias then has no effect
--               and a zero gradient), so both are the error at the input
--               of the sigmoid, summed over the batch.
-- The spread is the largest over the smallest of the four hidden layers:
-- the vanishing gradient makes it large, batch normalisation narrows it.
-- Writes out/batchnorm_accuracy.svg and out/batchnorm_gradient_norms.svg.

local lunet = require "lunet"
local nn, plot = lunet.nn, lunet.plot

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 30, "training epochs per network", "count" },
  { "eta", 0.1, "learning rate", "positive" },
  { "lambda", 5.0, "L2 regularisation", "nonnegative" },
  { "seed", 1, "random seed", "integer" },
  { "out", "out", "directory for the plots", "dir" },
}, "Batch normalisation against the vanishing gradient in a deep sigmoid network.")

local HIDDEN = 4

lunet.seed(opts.seed)
local training, validation, test, name = cli.load_data(opts.data)

local function network(batchnorm)
  local layers, n_in = {}, 784
  for _ = 1, HIDDEN do
    layers[#layers + 1] = nn.Linear(n_in, 30)
    if batchnorm then layers[#layers + 1] = nn.BatchNorm() end
    layers[#layers + 1] = nn.Sigmoid()
    n_in = 30
  end
  layers[#layers + 1] = nn.Linear(n_in, 10)
  layers[#layers + 1] = nn.Sigmoid()
  return nn.Sequential(layers, { input = { 784 }, cost = "cross_entropy" })
end

-- Positions, among the layers that have parameters (the order of the
-- gradient-norm lists), of each hidden layer's weights and of its bias
-- (the Linear's own, or the BatchNorm's beta).
local function positions(model)
  local weights, biases, k = {}, {}, 0
  for _, layer in ipairs(model:layers()) do
    local t = layer.spec.type
    if t == "dense" or t == "batchnorm" then
      k = k + 1
      if t == "dense" then
        weights[#weights + 1], biases[#biases + 1] = k, k
      else
        biases[#biases] = k
      end
    end
  end
  return weights, biases
end

local function spread(values)
  local lo, hi = math.huge, 0
  for l = 1, HIDDEN do
    lo, hi = math.min(lo, values[l]), math.max(hi, values[l])
  end
  return hi / lo
end

local runs = {}
for _, bn in ipairs { false, true } do
  local label = bn and "with batch norm" or "plain sigmoid"
  lunet.seed(opts.seed)      -- the same weights for the layers both have
  local model = network(bn)
  print(("\n784-30-30-30-30-10 sigmoid, %s"):format(label))
  local _, _, _, _, h = lunet.train.sgd(model, training, {
    epochs = opts.epochs, batch = 10, eta = opts.eta, lambda = opts.lambda, evaluation_data = validation,
    monitor_evaluation_accuracy = true, gradient_norms = true,
  })
  local wpos, bpos = positions(model)
  local g = h.gradient_norms
  local run = { label = label, best = h.best_accuracy, weight = {}, bias = {}, epoch = g.epoch, wspread = {},
    bspread = {} }
  for l = 1, HIDDEN do
    run.weight[l], run.bias[l] = {}, {}
    for e = 1, #g.epoch do
      run.weight[l][e] = g.weight[wpos[l]][e]
      run.bias[l][e] = g.bias[bpos[l]][e]
    end
  end
  for e = 1, #g.epoch do
    local w, b = {}, {}
    for l = 1, HIDDEN do w[l], b[l] = run.weight[l][e], run.bias[l][e] end
    run.wspread[e], run.bspread[e] = spread(w), spread(b)
  end
  local _, correct = lunet.train.evaluate(model, test)
  run.test = correct / test.n
  local pct = {}
  for e, a in ipairs(h.evaluation_accuracy) do pct[e] = 100 * a end
  run.accuracy = pct
  runs[#runs + 1] = run
end

local function mean(t)
  local s = 0
  for _, v in ipairs(t) do s = s + v end
  return s / #t
end

print(("\n%s, eta %g, lambda %g, %d epochs"):format(name, opts.eta, opts.lambda, opts.epochs))
print(("%-16s %10s %8s   %-34s %9s %9s"):format("network", "best valid", "test", "||dC/dW|| per hidden layer, start",
  "spread", "mean"))
for _, r in ipairs(runs) do
  local start = {}
  for l = 1, HIDDEN do start[l] = ("%.4f"):format(r.weight[l][1]) end
  print(("%-16s %9.2f%% %7.2f%%   %-34s %8.1fx %8.1fx"):format(r.label, 100 * r.best, 100 * r.test,
    table.concat(start, " "), r.wspread[1], mean(r.wspread)))
end
for _, r in ipairs(runs) do
  local start = {}
  for l = 1, HIDDEN do start[l] = ("%.4f"):format(r.bias[l][1]) end
  print(("%-16s %19s   ||dC/db|| %-24s %8.1fx %8.1fx"):format(r.label, "", table.concat(start, " "), r.bspread[1],
    mean(r.bspread)))
end
print("(spread: largest / smallest over the hidden layers, at the start and the mean over all epochs;")
print(" with batch norm, beta's gradient sums errors whose batch mean the next normalisation removed,")
print(" so it is small by construction below the top layer: ||dC/dW|| is the fair comparison)")

plot.line { title = ("Validation accuracy, 784-30-30-30-30-10 sigmoid (%s)"):format(name), xlabel = "epoch",
  ylabel = "accuracy (%)", series = { { name = runs[1].label, y = runs[1].accuracy },
    { name = runs[2].label, y = runs[2].accuracy } }, file = opts.out .. "/batchnorm_accuracy.svg" }

-- one chart per network on the same y range, so the spreads compare by eye
local lo, hi = math.huge, 0
for _, r in ipairs(runs) do
  for l = 1, HIDDEN do
    for _, v in ipairs(r.weight[l]) do
      if v > 0 then lo, hi = math.min(lo, v), math.max(hi, v) end
    end
  end
end
local charts = {}
for i, r in ipairs(runs) do
  local series = {}
  for l = 1, HIDDEN do series[l] = { name = ("hidden layer %d"):format(l), x = r.epoch, y = r.weight[l] } end
  charts[i] = plot.line { title = r.label, xlabel = "epoch", ylabel = "||dC/dW||", logy = true, series = series,
    ymin = lo / 1.5, ymax = hi * 1.5, width = 490, height = 380,
    marks = r.epoch[1] == 0 and { { x = 0, label = "before training" } } or nil }
end
plot.grid { charts = charts, cols = 2, title = "Gradient norms per hidden layer, input side first",
  file = opts.out .. "/batchnorm_gradient_norms.svg" }
print(("plots: %s/batchnorm_accuracy.svg and %s/batchnorm_gradient_norms.svg"):format(opts.out, opts.out))
