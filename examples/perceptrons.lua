-- examples/perceptrons.lua: the book's chapter 1 before sigmoid neurons.
--
--   bin/lunet examples/perceptrons.lua [--epochs 1000] [--eta 1] [--seed 1] [--out out]
--
-- 1. The NAND perceptron (weights -2, -2, bias 3) on its four inputs.
-- 2. Adders built only from NAND perceptrons, as layered step networks
--    (lunet.perceptron.circuit): the book's adder of two bits (sum and
--    carry) and an adder of two 2-bit numbers, each checked on every input.
-- 3. The perceptron learning rule: it learns AND, OR, NAND and a random
--    linearly separable set of points in the plane (and stops: an epoch
--    without a mistake), and never stops on XOR, which no line separates.
-- 4. Why sigmoid neurons: the book's adder with its bias at a threshold. A
--    change of h on one bias flips the perceptron network's output
--    whatever h is; the same network with sigmoid neurons (weights scaled
--    by 10) changes its output less and less as h shrinks, in proportion to h once h is small.
-- Writes out/perceptron_mistakes.svg (mistakes per epoch of the rule).

local lunet = require "lunet"
local plot = lunet.plot
local P = lunet.perceptron

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "epochs", 1000, "most epochs of the perceptron rule", "count" },
  { "eta", 1, "learning rate of the perceptron rule", "positive" },
  { "points", 2000, "points in the linearly separable set", "count" },
  { "margin", 0.001, "least distance of the separable points from their line", "nonnegative" },
  { "seed", 1, "random seed of the separable set and the initial weights", "integer" },
  { "out", "out", "directory for the plot", "dir" },
}, "Perceptrons: NAND, adders of NANDs, the perceptron rule, and why sigmoid neurons.")

lunet.seed(opts.seed)

-- 1. NAND
local X2 = P.truth_table(2)
local nand = P.nand()
print("The NAND perceptron: w = (-2, -2), b = 3")
local out = nand:feedforward(X2)
for r = 1, 4 do
  print(("  x = (%d, %d)  w.x + b = %2d  output %d"):format(X2[{ r, 1 }], X2[{ r, 2 }],
    -2 * X2[{ r, 1 }] - 2 * X2[{ r, 2 }] + 3, out[{ r, 1 }]))
end

-- 2. adders of NANDs, every input checked
local function bits(t, r, from, to)
  local v = 0
  for j = from, to do v = 2 * v + math.tointeger(t[{ r, j }]) end
  return v
end

local function check_adder(name, n_in, gates, outputs, value_a, value_b)
  local net, layers = P.circuit(n_in, gates, outputs)
  local X = P.truth_table(n_in)
  local Y = net:feedforward(X)
  local right, sizes = 0, { n_in }
  for L = 1, #layers do sizes[#sizes + 1] = #layers[L] end
  print(("\n%s: %d NAND gates as a %s network of perceptrons"):format(name, #gates, table.concat(sizes, "-")))
  for r = 1, X:shape()[1] do
    local a, b, sum = value_a(X, r), value_b(X, r), bits(Y, r, 1, #outputs)
    if a + b == sum then right = right + 1 end
    print(("  %d + %d = %d%s"):format(a, b, sum, a + b == sum and "" or "   WRONG"))
  end
  print(("  right on %d of %d inputs"):format(right, X:shape()[1]))
  return right == X:shape()[1]
end

local ok1 = check_adder("The book's adder of two bits (sum bit x1 XOR x2, carry x1 x2)", 2, P.HALF_ADDER, { 7, 6 },
  function(X, r) return bits(X, r, 1, 1) end, function(X, r) return bits(X, r, 2, 2) end)
local ok2 = check_adder("An adder of two 2-bit numbers (half adder + full adder)", 4, P.TWO_BIT_ADDER, { 18, 17, 8 },
  function(X, r) return bits(X, r, 1, 2) end, function(X, r) return bits(X, r, 3, 4) end)
print(("\nadders right on every input: %s"):format((ok1 and ok2) and "yes" or "NO"))

-- 3. the perceptron rule
local function learn(name, data)
  local net = P.network { data.x:shape()[2], 1 }
  local r = P.train(net, data, { eta = opts.eta, epochs = opts.epochs })
  local least = math.huge
  for _, m in ipairs(r.mistakes) do least = math.min(least, m) end
  print(("  %-28s %s after %4d epochs (mistakes in the last epoch: %d, fewest in any epoch: %d)"):format(name,
    r.converged and "separated" or "NOT separated", r.epochs, r.mistakes[#r.mistakes], least))
  return r
end

-- points in the unit square on either side of the line x2 = 0.3 + 0.5 x1,
-- each pushed --margin away from it so the set has a margin
local function separable(n)
  local x = lunet.rand({ n, 2 }, { 0, 1, dtype = "float64" })
  local normal = lunet.tensor({ -0.5, 1 }, "float64") / math.sqrt(1.25)
  local side = (x:matmul(normal) - 0.3 / math.sqrt(1.25)):sign()
  x = x + side:view(n, 1) * normal:view(1, 2) * opts.margin
  return { x = x, y = side:gt(0) }
end

print(("\nThe perceptron rule (eta %g, at most %d epochs, initial weights N(0, 1/n_in), biases N(0, 1)):")
  :format(opts.eta, opts.epochs))
local truth = function(t) return { x = X2, y = lunet.tensor(t, "float64") } end
learn("AND", truth { 0, 0, 0, 1 })
learn("OR", truth { 0, 1, 1, 1 })
learn("NAND", truth { 1, 1, 1, 0 })
local sep = learn(("%d points, margin %g"):format(opts.points, opts.margin), separable(opts.points))
local xor = learn("XOR", truth { 0, 1, 1, 0 })

-- 4. small changes: a bias at its threshold
local function adder(activation, scale)
  local steps, layers = P.circuit(2, P.HALF_ADDER, { 7, 6 })
  local row   -- the unit of the first layer that computes node 3, NAND(x1, x2)
  for i, node in ipairs(layers[1]) do
    if node == 3 then row = i end
  end
  if activation == "step" then return steps, row end
  local net = lunet.Network({ 2, 3, 3, 2 }, { activation = "sigmoid", cost = "quadratic", dtype = "float64" })
  for l = 1, 3 do
    net.weights[l]:copy(steps.weights[l] * scale)
    net.biases[l]:copy(steps.biases[l] * scale)
  end
  return net, row
end

-- the largest change of any output over the four inputs when the bias of
-- the first gate (NAND(x1, x2), bias 3) moves from 4 - h to 4 + h: at 4 its
-- w.x + b is 0 for the input (1, 1)
local function change(net, row, h, scale)
  local b = net.biases[1]
  b[row] = (4 - h) * scale
  local before = net:feedforward(X2)
  b[row] = (4 + h) * scale
  local after = net:feedforward(X2)
  b[row] = 3 * scale
  return (after - before):abs():max()
end

local SCALE = 10
local steps, row = adder("step")
local smooth = adder("sigmoid", SCALE)
print(("\nSmall changes: the bias of the adder's first NAND moved from 4 - h to 4 + h (the perceptron network, "
  .. "and the same network of sigmoid neurons with weights and biases x %d)"):format(SCALE))
print(("  %-8s %22s %22s %14s"):format("h", "largest change (step)", "(sigmoid)", "sigmoid / 2h"))
for _, h in ipairs { 0.1, 0.01, 0.001, 1e-4, 1e-5 } do
  local s, g = change(steps, row, h, 1), change(smooth, row, h, SCALE)
  print(("  %-8g %22.6g %22.6g %14.4f"):format(h, s, g, g / (2 * h)))
end
print("  (perceptrons: a flip however small h is; sigmoid neurons: a change that shrinks with h, "
  .. "in proportion once h is small)")

local SHOWN = 60   -- XOR goes on like this for ever
local function series(name, r, n)
  local x, y = {}, {}
  for e = 1, math.min(SHOWN, #r.mistakes) do x[e], y[e] = e, r.mistakes[e] / n end
  return { name = name, x = x, y = y }
end
local file = opts.out .. "/perceptron_mistakes.svg"
plot.line { title = ("The perceptron rule: samples misclassified per epoch (the first %d epochs)"):format(SHOWN),
  xlabel = "epoch",
  ylabel = "fraction of the samples misclassified", markers = true,
  width = 720, height = 400, file = file,
  series = { series(("%d separable points, margin %g"):format(opts.points, opts.margin), sep, opts.points),
    series("XOR (4 points)", xor, 4) } }
print("plot: " .. file)
