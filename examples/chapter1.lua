-- examples/chapter1.lua: the book's first network (network.py, chapter 1).
--
--   lua5.4 examples/chapter1.lua [--data mnist|fashion|auto] [--epochs 30]
--
-- 784-30-10 sigmoid neurons, the quadratic cost, weights and biases drawn
-- from N(0, 1) as network.py does, mini-batches of 10, eta = 3.0; after each
-- epoch the number of test images classified right, as network.py prints.

local lunet = require "lunet"

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "data", "auto", "mnist, fashion, or auto (MNIST when present)", { "mnist", "fashion", "auto" } },
  { "epochs", 30, "training epochs", "count" },
  { "eta", 3.0, "learning rate", "positive" },
  { "seed", 1, "random seed", "integer" },
}, "The book's chapter-1 network: 784-30-10, quadratic cost, eta 3.0.")

lunet.seed(opts.seed)
local training, _, test, name = cli.load_data(opts.data)

local net = lunet.Network({ 784, 30, 10 }, { cost = "quadratic", init = "large" })
print(("%s: %d training images, %d test images; %s"):format(name, training.n, test.n, tostring(net)))

local _, accuracy = net:SGD(training, opts.epochs, 10, opts.eta, {
  evaluation_data = test, monitor_evaluation_accuracy = true, verbose = false,
  on_epoch = function(epoch, h)
    local a = h.evaluation_accuracy[epoch]
    print(("Epoch %d: %d / %d (%.2f%%)"):format(epoch - 1, math.floor(a * test.n + 0.5), test.n, 100 * a))
  end,
})

local best = math.max(table.unpack(accuracy))
print()
print(("%-40s %8s %8s"):format("784-30-10, quadratic cost, eta " .. opts.eta, "book", "lunet"))
print(("%-40s %8s %7.2f%%"):format("test accuracy, best epoch (MNIST)", "~95%", 100 * best / test.n))
if name ~= "mnist" then
  print("(the book's figure is for MNIST; Fashion-MNIST is a harder problem)")
end
