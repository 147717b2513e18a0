-- examples/filters.lua: what a convolutional network learned, and where it
-- still fails (the book's chapter 6 shows both for MNIST).
--
--   bin/lunet examples/filters.lua [--data mnist|fashion|auto] [--epochs 3] [--show 40] [--out out]
--
-- Trains network3's two-convolution ReLU network (eta 0.03, lambda 0.1,
-- mini-batches of 10), then writes
--   out/filters.svg        the 20 learned 5x5 kernels of the first layer
--                          (blue negative, red positive: edge and blob
--                          detectors appear within an epoch or two);
--   out/misclassified.svg  the first --show test images the network gets
--                          wrong, each labelled "true -> predicted".

local lunet = require "lunet"
local n3 = lunet.network3
local plot = lunet.plot

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 3, "training epochs", "count" },
  { "show", 40, "misclassified test images to draw", "whole" },
  { "subset", 0, "train on the first n training images only (0, or more than there are: all)", "whole" },
  { "seed", 1, "random seed", "integer" },
  { "out", "out", "directory for the pictures", "dir" },
}, "First-layer filters and misclassified images of a convolutional network.")

lunet.seed(opts.seed)
local training, validation, test, name = cli.load_data(opts.data)
if opts.subset > 0 and opts.subset < training.n then
  training = { x = training.x:narrow(1, 1, opts.subset), y = training.y:narrow(1, 1, opts.subset), n = opts.subset }
end

local net = n3.Network({
  n3.ConvPoolLayer { image_shape = { 1, 28, 28 }, filter_shape = { 20, 1, 5, 5 }, poolsize = { 2, 2 },
    activation = n3.ReLU },
  n3.ConvPoolLayer { image_shape = { 20, 12, 12 }, filter_shape = { 40, 20, 5, 5 }, poolsize = { 2, 2 },
    activation = n3.ReLU },
  n3.FullyConnectedLayer { n_in = 40 * 4 * 4, n_out = 100, activation = n3.ReLU },
  n3.SoftmaxLayer { n_in = 100, n_out = 10 },
}, 10)
print(("%s, %d training images, %d epochs"):format(name, training.n, opts.epochs))
net:SGD(training, opts.epochs, 10, 0.03, validation, nil, 0.1)

-- the first convolution's kernels: (20, 1, 5, 5) -> 20 rows of 25
local first
for _, layer in ipairs(net:layers()) do
  if layer.spec.type == "conv2d" then
    first = layer
    break
  end
end
local kernels = first.weight:reshape(first.weight:size(1), 25)
plot.images { images = kernels, shape = { 5, 5 }, cols = 10, scale = 16, cmap = "diverging", normalize = "each",
  title = "first-layer filters (5x5, blue negative, red positive)", file = opts.out .. "/filters.svg" }

local classes = lunet.data.classes(name)
local predicted = net:classify(test.x)
local wrong = {}
for i = 1, test.n do
  local truth, guess = math.tointeger(test.y[i]), math.tointeger(predicted[i])
  if truth ~= guess then wrong[#wrong + 1] = { i, truth, guess } end
end
local images, labels = {}, {}
for k = 1, math.min(opts.show, #wrong) do
  local i, truth, guess = table.unpack(wrong[k])
  images[k] = test.x[i]
  labels[k] = ("%s -> %s"):format(classes[truth + 1], classes[guess + 1])
end
print(("test accuracy %.2f%%: %d of %d test images misclassified"):format(100 * (1 - #wrong / test.n), #wrong,
  test.n))
if #images > 0 then
  plot.images { images = images, labels = labels, shape = { 28, 28 }, cols = 8, normalize = false,
    title = ("misclassified test images (true -> predicted), %d of %d"):format(#images, #wrong),
    file = opts.out .. "/misclassified.svg" }
end
print(("wrote %s/filters.svg and %s/misclassified.svg"):format(opts.out, opts.out))
