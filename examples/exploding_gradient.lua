-- examples/exploding_gradient.lua: the unstable gradient in a chain of
-- single sigmoid neurons (the book's chapter 5).
--
--   bin/lunet examples/exploding_gradient.lua [--weight 100] [--seed 1] [--out out]
--
-- Four neurons in a row, one per layer, the quadratic cost. Back-propagation
-- gives dC/db_1 = s'(z_1) w_2 s'(z_2) w_3 s'(z_3) w_4 s'(z_4) dC/da_4: every layer
-- multiplies the gradient by w s'(z).
--   exploding: w = 100 and biases b = -100 a_in, so every z = 0, s'(z) = 1/4
--              and each factor is 25;
--   vanishing: weights and biases from N(0, 1), where |w s'(z)| < 1/4 mostly.
-- Then the bound: |w s'(w a + b)| >= 1 only on an interval of inputs a, whose
-- width, as a function of w, is found numerically on a fine grid (the book:
-- at most about 0.45, at |w| about 6.9). Writes out/exploding_gradient.svg.

local lunet = require "lunet"
local plot = lunet.plot

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "weight", 100, "the weight of every neuron in the exploding chain" },
  { "seed", 1, "random seed of the vanishing chain", "integer" },
  { "out", "out", "directory for the plot", "dir" },
}, "Exploding and vanishing gradients in a chain of single neurons.")

local DEPTH = 4
local x = lunet.tensor({ { 0.5 } }, "float64")   -- one input
local y = lunet.tensor({ { 0.0 } }, "float64")   -- its target

-- dC/db_j for every layer j of the chain, from back-propagation.
local function bias_gradients(net)
  local a = net:forward(x)
  net:zero_grad()
  net:backward(x, a - y)                      -- quadratic cost: dC/da = a - y
  local g = {}
  for j = 1, DEPTH do g[j] = net.grad_biases[j][1] end
  return g, net.weights
end

local function chain(init)
  return lunet.Network({ 1, 1, 1, 1, 1 }, { cost = "quadratic", init = init, dtype = "float64" })
end

-- exploding: every z_j = 0
local big = chain("large")
local a_in = x[{ 1, 1 }]
for j = 1, DEPTH do
  big.weights[j]:fill(opts.weight)
  big.biases[j]:fill(-opts.weight * a_in)
  a_in = 0.5
end
local boom = bias_gradients(big)
lunet.seed(opts.seed)
local small = chain("large")
local fade, weights = bias_gradients(small)

print(("%-8s %18s %10s   %18s %10s"):format("layer", "dC/db (w = " .. opts.weight .. ")", "factor",
  "dC/db (N(0,1))", "factor"))
for j = 1, DEPTH do
  local f1 = j < DEPTH and ("%10.3f"):format(boom[j] / boom[j + 1]) or ("%10s"):format("")
  local f2 = j < DEPTH and ("%10.3f"):format(fade[j] / fade[j + 1]) or ("%10s"):format("")
  print(("%-8d %18.6g %s   %18.6g %s"):format(j, boom[j], f1, fade[j], f2))
end
print(("(factor = dC/db_j / dC/db_{j+1} = w_{j+1} s'(z_j): %g x 1/4 = %g in the first chain; the N(0, 1) weights "
  .. "were %s)"):format(opts.weight, opts.weight / 4, table.concat((function()
    local w = {}
    for j = 1, DEPTH do w[j] = ("%.2f"):format(weights[j][{ 1, 1 }]) end
    return w
  end)(), ", ")))

-- The bound: width of {a : |w s'(w a)| >= 1} (b only shifts the interval).
local STEP = 1e-5
local a = lunet.linspace(-0.5, 0.5, 100001, "float64")
local function width(w)
  local s = (a * w):sigmoid()
  return (s * (1 - s) * w):ge(1):sum() * STEP
end

local ws, widths, best_w, best = {}, {}, 0, -1
for i = 0, 320 do
  local w = 4 + i * 0.05
  ws[#ws + 1], widths[#widths + 1] = w, width(w)
  if widths[#widths] > best then best_w, best = w, widths[#widths] end
end
for i = -100, 100 do   -- refine around the best point
  local w = best_w + i * 0.001
  local v = width(w)
  if v > best then best_w, best = w, v end
end
-- the book's closed form, for comparison: (2/|w|) ln(|w| (1 + sqrt(1 - 4/|w|)) / 2 - 1)
local closed = 2 / best_w * math.log(best_w * (1 + math.sqrt(1 - 4 / best_w)) / 2 - 1)
print(("\nwidest interval of inputs with |w s'(w a + b)| >= 1: %.4f at |w| = %.3f (closed form there: %.4f; "
  .. "book: about 0.45 at |w| about 6.9)"):format(best, best_w, closed))

local labels, up, down = {}, {}, {}
for j = 1, DEPTH do
  labels[j], up[j], down[j] = "b" .. j, math.abs(boom[j]), math.abs(fade[j])
end
local file = opts.out .. "/exploding_gradient.svg"
plot.grid { cols = 2, title = "Unstable gradients in a chain of four sigmoid neurons", file = file, charts = {
  plot.bar { title = "|dC/db| per layer", ylabel = "|dC/db|", logy = true, labels = labels, width = 490,
    height = 400, series = { { name = ("w = %g, z = 0"):format(opts.weight), values = up },
      { name = "w, b ~ N(0, 1)", values = down } } },
  plot.line { title = "Width of the inputs where |w s'(w a + b)| >= 1", xlabel = "|w|", ylabel = "width",
    width = 490, height = 400, series = { { name = "width", x = ws, y = widths } } },
} }
print("plot: " .. file)
