-- examples/universality.lua: the book's chapter 4, a visual proof that one
-- hidden layer can compute any function, with networks you can run.
--
--   bin/lunet examples/universality.lua [--ns 5,10,20,50] [--w 1000] [--epochs 1000] [--out out]
--
-- 1. One sigmoid neuron s(w x + b) becomes a step at s = -b/w as w grows.
-- 2. Two steps with output weights h and -h make a bump of height h.
-- 3. The book's f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.05 cos(50 x) by
--    N bumps: the output neuron is a sigmoid, so the hidden layer's
--    weighted output aims at the inverse sigmoid of f. The average
--    deviation |f - net| over 1000 points falls as N grows.
-- 4. The same function learned by SGD (a 1-20-1 sigmoid network).
-- 5. Two inputs: the sum of an x-bump and a y-bump (a plateau with a
--    cross), the threshold trick that makes it a tower, and several towers.
-- Every network is an ordinary lunet.Network whose weights were set in its
-- tensors. Writes out/universality_*.svg.

local lunet = require "lunet"
local plot = lunet.plot
local U = lunet.universality

local cli = require "lunet.cli"
local opts = cli.parse(arg, {
  { "ns", "5,10,20,50", "numbers of bumps N, comma-separated" },
  { "w", 1000, "weight of the step neurons", "positive" },
  { "epochs", 1000, "epochs of the SGD comparison", "count" },
  { "hidden", 20, "hidden neurons of the SGD comparison", "count" },
  { "seed", 1, "random seed of the SGD comparison", "integer" },
  { "out", "out", "directory for the plots", "dir" },
}, "Universality: steps, bumps, towers, and f approximated with N bumps.")

local f = U.book_function
local ns = {}
for v in opts.ns:gmatch("[^,]+") do
  local n = math.tointeger(tonumber(v))
  if not n or n < 1 then cli.fail("option --ns takes positive integers separated by commas, got %s", opts.ns) end
  ns[#ns + 1] = n
end
local written = {}
local function save(name, svg)
  local path = opts.out .. "/" .. name
  plot.save(svg, path)
  written[#written + 1] = path
end

-- f on a grid, for the plots
local function goal(fn, n)
  local xs, ys = {}, {}
  for i = 1, n do
    xs[i] = (i - 1) / (n - 1)
    ys[i] = fn(xs[i])
  end
  return xs, ys
end

-- 1. the step as w grows
local S = 0.4
print(("1. One sigmoid neuron s(w x + b) with b = -%g w: its step sits at s = -b/w"):format(S))
local step_series = {}
for _, w in ipairs { 5, 10, 20, 50, 100, opts.w } do
  local net = U.neuron(w, -S * w)
  local xs, ys = U.curve(net, 1001)
  step_series[#step_series + 1] = { name = ("w = %g"):format(w), x = xs, y = ys }
  local half = net:feedforward(lunet.tensor({ { S } }, "float64"))[{ 1, 1 }]
  print(("   w = %-6g b = %-8g s = -b/w = %.4f, output at s %.4f, at s +- 0.05: %.4f %.4f"):format(w, -S * w,
    U.step_position(w, -S * w), half, net:feedforward(lunet.tensor({ { S - 0.05 } }, "float64"))[{ 1, 1 }],
    net:feedforward(lunet.tensor({ { S + 0.05 } }, "float64"))[{ 1, 1 }]))
end
save("universality_step.svg", plot.line { title = ("A sigmoid neuron becomes a step at s = -b/w = %g"):format(S),
  xlabel = "x", ylabel = "s(w x + b)", width = 720, height = 420, series = step_series })

-- 2. a bump from two steps, in the weighted-output form
local S1, S2, H = 0.4, 0.6, 0.8
local bump = U.bump(S1, S2, H, { w = opts.w })
local function value(net, x) return net:feedforward(lunet.tensor({ { x } }, "float64"))[{ 1, 1 }] end
local bx, by = U.curve(bump, 1001)
local up_x, up_y = U.curve(U.steps({ S1 }, { H }, { w = opts.w }), 1001)
local down_x, down_y = U.curve(U.steps({ S2 }, { -H }, { w = opts.w }), 1001)
print(("\n2. A bump: steps at %g and %g with output weights %g and -%g; the weighted output at 0.5 is %.4f, "
  .. "at 0.3 and 0.7 %.2g and %.2g"):format(S1, S2, H, H, value(bump, 0.5), value(bump, 0.3), value(bump, 0.7)))
save("universality_bump.svg", plot.line { title = ("A bump: steps at %g and %g, output weights h = %g and -h "
  .. "(grey: the two weighted steps)"):format(S1, S2, H), xlabel = "x", ylabel = "weighted output", width = 720,
  height = 420,
  background = { { x = up_x, y = up_y }, { x = down_x, y = down_y } },
  series = { { name = "h s(w (x - s1)) - h s(w (x - s2))", x = bx, y = by } } })

-- 3. f with N bumps
print(("\n3. f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.05 cos(50 x) with N bumps (w = %g, 2N hidden neurons, "
  .. "sigmoid output):"):format(opts.w))
print(("   %-6s %16s %20s %18s"):format("N", "hidden neurons", "average deviation", "largest deviation"))
local gx, gy = goal(f, 1001)
local charts, dev_avg = {}, {}
for _, n in ipairs(ns) do
  local net = U.approximate(f, n, { w = opts.w })
  local avg, largest = U.deviation(net, f)
  dev_avg[#dev_avg + 1] = avg
  print(("   %-6d %16d %20.5f %18.5f"):format(n, 2 * n, avg, largest))
  local xs, ys = U.curve(net, 1001)
  charts[#charts + 1] = plot.line { title = ("N = %d bumps: average deviation %.4f"):format(n, avg), xlabel = "x",
    width = 480, height = 320, ymin = 0, ymax = 1,
    series = { { name = "f", x = gx, y = gy }, { name = "network", x = xs, y = ys } } }
end
local falling = true
for i = 2, #dev_avg do falling = falling and dev_avg[i] < dev_avg[i - 1] end
print(("   the average deviation falls as N grows: %s"):format(falling and "yes" or "NO"))
save("universality_approximation.svg", plot.grid { cols = 2, charts = charts,
  title = "f approximated with N bumps (sigmoid output neuron)" })

-- the hidden layer's target: the inverse sigmoid of f
local NI = ns[math.min(2, #ns)]
local _, heights, edges = U.approximate(f, NI, { w = opts.w })
local wx, wy = U.curve(U.bumps(edges, heights, { w = opts.w }), 1001)
local ix, iy = goal(function(x) return U.inverse_sigmoid(f(x)) end, 1001)
save("universality_inverse.svg", plot.line { title = ("The hidden layer's weighted output aims at the inverse "
  .. "sigmoid of f (N = %d)"):format(NI), xlabel = "x", width = 720, height = 420,
  series = { { name = "inverse sigmoid of f", x = ix, y = iy }, { name = "weighted output", x = wx, y = wy } } })

-- 4. learned by SGD
local t0 = os.clock()
local learned = U.sgd_fit(f, { hidden = opts.hidden, epochs = opts.epochs, seed = opts.seed })
local seconds = os.clock() - t0
local sgd_avg, sgd_max = U.deviation(learned, f)
print(("\n4. Learned instead: a 1-%d-1 sigmoid network, cross-entropy, SGD (eta 1, mini-batch 10) on 1000 samples "
  .. "of f for %d epochs (%.1f s CPU): average deviation %.5f, largest %.5f"):format(opts.hidden, opts.epochs,
  seconds, sgd_avg, sgd_max))
local lx, ly = U.curve(learned, 1001)
local nd = ns[#ns]
local dx, dy = U.curve(U.approximate(f, nd, { w = opts.w }), 1001)
save("universality_sgd.svg", plot.line { title = "Designed with bumps, or learned by SGD", xlabel = "x",
  width = 720, height = 420, ymin = 0, ymax = 1, series = { { name = "f", x = gx, y = gy },
    { name = ("%d bumps (%d hidden)"):format(nd, 2 * nd), x = dx, y = dy },
    { name = ("SGD, %d hidden"):format(opts.hidden), x = lx, y = ly } } })

-- deviation against N, finer
local all_n, all_avg, sgd_line = {}, {}, {}
for n = 2, 100, 2 do
  all_n[#all_n + 1] = n
  all_avg[#all_avg + 1] = U.deviation(U.approximate(f, n, { w = opts.w }), f)
  sgd_line[#sgd_line + 1] = sgd_avg
end
save("universality_deviation.svg", plot.line { title = "Average deviation |f - network| against the number of bumps",
  xlabel = "N (bumps; 2N hidden neurons)", ylabel = "average deviation", logy = true, width = 720, height = 420,
  series = { { name = "N bumps", x = all_n, y = all_avg },
    { name = ("SGD, %d hidden neurons"):format(opts.hidden), x = all_n, y = sgd_line } } })

-- 5. two inputs: plateau, tower, towers
local plateau = U.plateau(0.3, 0.7, 0.3, 0.7, 1, { w = opts.w })
local tower = U.tower(0.3, 0.7, 0.3, 0.7, 1, { w = opts.w })
local towers = U.towers({ { 0.1, 0.4, 0.1, 0.4, 0.4 }, { 0.5, 0.9, 0.2, 0.5, 0.8 }, { 0.2, 0.6, 0.6, 0.9, 0.6 } },
  { w = opts.w })
local function at(net, x, y) return net:feedforward(lunet.tensor({ { x, y } }, "float64"))[{ 1, 1 }] end
print(("\n5. Two inputs, a rectangle [0.3, 0.7]^2: the x-bump plus the y-bump gives %.3f inside, %.3f on the cross "
  .. "(x inside, y outside) and %.3f outside; the threshold neuron (weights t, -t, t, -t, bias -3t/2, t = 100) "
  .. "makes a tower: %.3f inside, %.2g on the cross, %.2g outside"):format(at(plateau, 0.5, 0.5),
  at(plateau, 0.5, 0.1), at(plateau, 0.1, 0.1), at(tower, 0.5, 0.5), at(tower, 0.5, 0.1), at(tower, 0.1, 0.1)))
local GRID = 60
local blank = {}
for i = 1, GRID do blank[i] = "" end
local function heat(title, net)
  return plot.heatmap { title = title, data = U.surface(net, GRID), xlabel = "x: 0 (left) to 1 (right)",
    ylabel = "y: 0 (bottom) to 1 (top)", collabels = blank, rowlabels = blank, width = 320, height = 320 }
end
save("universality_tower.svg", plot.grid { cols = 3, title = "Towers over two inputs (heat maps, y up)", charts = {
  heat("x-bump + y-bump", plateau), heat("threshold: a tower", tower), heat("three towers", towers) } })

print("\nplots:")
for _, p in ipairs(written) do print("  " .. p) end
