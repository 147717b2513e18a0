-- lunet.universality: the book's chapter 4, a visual proof that a network
-- with one hidden layer can compute any continuous function, as networks
-- you can run. Every function here builds an ordinary lunet.Network and
-- sets its weights in its tensors, so feedforward, save and the plots work
-- on the result.
--
--   local U = lunet.universality
--   local net = U.step(0.4, { w = 1000 })            -- one sigmoid neuron, a step at x = 0.4
--   local bump = U.bump(0.4, 0.6, 0.8)               -- weighted output: 0.8 on [0.4, 0.6]
--   local approx = U.approximate(U.book_function, 20) -- 20 bumps, sigmoid output
--   print(U.deviation(approx, U.book_function))      -- average |f(x) - net(x)| on [0, 1]
--
-- The steps: a sigmoid neuron s(w x + b) with a large weight w is nearly a
-- step from 0 to 1 at s = -b/w. A pair of steps at s1 < s2 with output
-- weights h and -h is a bump of height h on [s1, s2]; bumps side by side
-- make a staircase that follows any function. The "weighted output" is
-- the hidden layer's output weighted by the output weights (an identity
-- output neuron); with a sigmoid output neuron, as in the book's last
-- design, the hidden layer aims at the inverse sigmoid of the goal.

local errors = require "lunet.errors"
local core = require "lunet.core"
local options = require "lunet.opts"
local Network = require "lunet.network"

local U = {}

local DEFAULT_W = 1000   -- the book's "large" weight: the step rises within about 0.01
-- Points and bumps are built in Lua lists first: 10^9 of them ran until the
-- memory ran out. surface's 1000 x 1000 grid is the same count.
local MAX_POINTS = 1000000

local function number(fname, what, v)
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
    errors.raise(("%s: %s must be a finite number, got %s"):format(fname, what, tostring(v)))
  end
  return v
end

local function positive(fname, what, v)
  number(fname, what, v)
  if v <= 0 then errors.raise(("%s: %s must be > 0, got %s"):format(fname, what, tostring(v))) end
  return v
end

local function list_of_numbers(fname, what, t)
  if type(t) ~= "table" or #t < 1 then errors.raise(
    ("%s: %s must be a non-empty list of numbers"):format(fname, what)) end
  for i = 1, #t do number(fname, ("%s[%d]"):format(what, i), t[i]) end
  return t
end

--- universality.step_position(w, b) -> number
-- Where the sigmoid neuron s(w x + b) crosses 1/2: s = -b/w (w must not be 0).
-- As w grows with s fixed, the neuron becomes a step from 0 to 1 at s.
function U.step_position(w, b)
  number("universality.step_position", "w", w)
  number("universality.step_position", "b", b)
  if w == 0 then errors.raise("universality.step_position: w must not be 0 (a neuron with w = 0 has no step)") end
  return -b / w
end

--- universality.sigmoid(z) -> number
-- The logistic function 1 / (1 + e^-z), for plain numbers.
function U.sigmoid(z)
  if type(z) ~= "number" then
    errors.raise(("universality.sigmoid: z must be a number, got %s"):format(type(z)))
  end
  return 1 / (1 + math.exp(-z))
end

--- universality.inverse_sigmoid(y) -> number
-- log(y / (1 - y)), the z with sigmoid(z) = y; y must lie strictly between 0 and 1.
function U.inverse_sigmoid(y)
  if type(y) ~= "number" or not (y > 0 and y < 1) then
    errors.raise(("universality.inverse_sigmoid: y must lie strictly between 0 and 1, got %s"):format(tostring(y)))
  end
  return math.log(y / (1 - y))
end

--- universality.book_function(x) -> number
-- The function the book's chapter 4 approximates:
-- f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.05 cos(50 x), between about 0.11 and 0.8 on [0, 1].
function U.book_function(x)
  return 0.2 + 0.4 * x * x + 0.3 * x * math.sin(15 * x) + 0.05 * math.cos(50 * x)
end

-- The bias -w s of a step at s; finite w and s can still overflow, and an
-- infinite bias gave NaN outputs.
local function step_bias(fname, w, s)
  local b = -w * s
  if b ~= b or b == math.huge or b == -math.huge then
    errors.raise(("%s: the bias -w s of the step at %s overflows with w = %s"):format(fname, tostring(s), tostring(w)))
  end
  return b
end

-- ---- networks of one input ------------------------------------------------

local STEP_OPTS = { "w", "output", "bias", "dtype" }

-- (w, output, bias, dtype) from an option table, checked.
local function step_options(fname, opts)
  local o = options.check(fname, opts, STEP_OPTS, 3)
  local w = o.w == nil and DEFAULT_W or positive(fname, "w", o.w)
  local output = o.output or "identity"
  if output ~= "identity" and output ~= "sigmoid" then
    errors.raise(("%s: output must be \"identity\" (the weighted output) or \"sigmoid\", got %s"):format(fname,
      tostring(output)))
  end
  local bias = o.bias == nil and 0 or number(fname, "bias", o.bias)
  return w, output, bias, o.dtype or "float64"
end

-- steps named after the function the user called (bump and bumps build on it)
local function steps(fname, points, heights, opts)
  list_of_numbers(fname, "points", points)
  list_of_numbers(fname, "heights", heights)
  if #heights ~= #points then errors.raise(fname .. ": one height per point") end
  local w, output, bias, dtype = step_options(fname, opts)
  local n = #points
  local net = Network({ 1, n, 1 }, { activation = { "sigmoid", output }, cost = "quadratic", dtype = dtype })
  local b = {}
  for j = 1, n do b[j] = step_bias(fname, w, points[j]) end
  net.weights[1]:fill(w)
  net.biases[1]:copy(core.tensor(b, "float64"))
  net.weights[2]:copy(core.tensor({ heights }, "float64"))
  net.biases[2]:fill(bias)
  return net
end

--- universality.steps(points, heights [, opts]) -> Network
-- A 1-n-1 network whose hidden neuron j is a step at points[j] (weight w,
-- bias -w points[j]) with output weight heights[j]. opts: w (default
-- 1000), output = "identity" (default: the network's output is the
-- weighted output sum_j heights[j] s(w (x - points[j])) + bias) or
-- "sigmoid" (the sigmoid of that), bias (the output neuron's, default 0),
-- dtype (default "float64").
function U.steps(points, heights, opts)
  return (steps("universality.steps", points, heights, opts))
end

--- universality.neuron(w, b [, opts]) -> Network
-- One sigmoid neuron s(w x + b) as a 1-1 network (dtype = "float64" by
-- default): the book's first picture, which becomes a step at -b/w as w grows.
function U.neuron(w, b, opts)
  local o = options.check("universality.neuron", opts, { "dtype" })
  number("universality.neuron", "w", w)
  number("universality.neuron", "b", b)
  local net = Network({ 1, 1 }, { activation = "sigmoid", cost = "quadratic", dtype = o.dtype or "float64" })
  net.weights[1]:fill(w)
  net.biases[1]:fill(b)
  return net
end

--- universality.step(s [, opts]) -> Network
-- One hidden neuron stepping from 0 to 1 at x = s (weight w, bias -w s),
-- seen through an output neuron of weight 1: universality.steps({s}, {1}, opts).
function U.step(s, opts)
  return U.steps({ s }, { 1 }, opts)
end

--- universality.bump(s1, s2, h [, opts]) -> Network
-- Two hidden neurons stepping at s1 < s2 with output weights h and -h: a
-- bump of height h on [s1, s2] (universality.steps's opts).
function U.bump(s1, s2, h, opts)
  number("universality.bump", "s1", s1)
  number("universality.bump", "s2", s2)
  number("universality.bump", "h", h)
  if s1 >= s2 then errors.raise("universality.bump: s1 must be less than s2") end
  return (steps("universality.bump", { s1, s2 }, { h, -h }, opts))
end

--- universality.bumps(edges, heights [, opts]) -> Network
-- Bumps side by side: bump j covers [edges[j], edges[j+1]] with height
-- heights[j], made of a pair of hidden neurons as in the book (2 n hidden
-- neurons for n bumps). edges must increase and have one more entry than
-- heights. opts as universality.steps's.
function U.bumps(edges, heights, opts)
  local fname = "universality.bumps"
  list_of_numbers(fname, "edges", edges)
  list_of_numbers(fname, "heights", heights)
  if #edges ~= #heights + 1 then errors.raise(fname .. ": edges needs one entry more than heights") end
  local points, weights = {}, {}
  for j = 1, #heights do
    if edges[j] >= edges[j + 1] then errors.raise(fname .. ": edges must increase") end
    points[2 * j - 1], weights[2 * j - 1] = edges[j], heights[j]
    points[2 * j], weights[2 * j] = edges[j + 1], -heights[j]
  end
  return (steps(fname, points, weights, opts))
end

--- universality.approximate(f, N [, opts]) -> Network, heights, edges
-- The book's design for a function f on [0, 1] with values strictly
-- between 0 and 1: N bumps of width 1/N and a sigmoid output neuron (bias
-- 0), so the hidden layer's weighted output aims at the inverse sigmoid
-- of f: bump j has height s^-1(f(m_j)) at the middle m_j = (j - 1/2)/N of
-- its interval, and the network gives f(m_j) there. The outer edges of
-- the first and last bumps lie 1/N outside [0, 1], so that 0 and 1 are
-- not on a step (where a neuron would be half on). f is a Lua function of
-- a number; N is at most 10^6. opts: w (default 1000), dtype (default "float64"). Also
-- returns the lists of heights and of edges (as universality.bumps takes them).
function U.approximate(f, N, opts)
  local fname = "universality.approximate"
  if type(f) ~= "function" then errors.raise(fname .. ": f must be a function of a number") end
  if math.type(N) ~= "integer" or N < 1 or N > MAX_POINTS then
    errors.raise(("%s: N must be a positive integer, at most %d"):format(fname, MAX_POINTS))
  end
  local o = options.check(fname, opts, { "w", "dtype" })
  local edges, heights = { -1 / N }, {}
  for j = 1, N do
    local y = f((j - 0.5) / N)
    if type(y) ~= "number" or not (y > 0 and y < 1) then
      errors.raise(("%s: f(%g) = %s, but a sigmoid output needs values strictly between 0 and 1"):format(fname,
        (j - 0.5) / N, tostring(y)))
    end
    heights[j] = U.inverse_sigmoid(y)
    edges[j + 1] = j < N and j / N or 1 + 1 / N
  end
  return U.bumps(edges, heights, { w = o.w, dtype = o.dtype, output = "sigmoid" }), heights, edges
end

-- ---- measuring --------------------------------------------------------------

-- n points spread evenly over [0, 1] (the middles of n equal cells), and
-- f at each, as float64 (n, 1) tensors.
local function grid(fname, f, n)
  local xs, ys = {}, {}
  for i = 1, n do
    xs[i] = { (i - 0.5) / n }
    local y = f(xs[i][1])
    -- a nil or a string failed deep in the tensor code, a NaN gave a NaN deviation
    if type(y) ~= "number" or y ~= y or y == math.huge or y == -math.huge then
      errors.raise(("%s: f(%g) = %s, not a finite number"):format(fname, xs[i][1], tostring(y)))
    end
    ys[i] = { y }
  end
  return core.tensor(xs, "float64"), core.tensor(ys, "float64")
end

--- universality.deviation(net, f [, opts]) -> average, largest
-- How far a 1-input network is from f on [0, 1]: the mean and the maximum
-- of |f(x) - net(x)| over `points` (default 1000, at most 10^6) evenly spread points
-- (the middles of equal cells, so no point sits on a bump's edge k/N for
-- N dividing the count). The network runs once on all points.
function U.deviation(net, f, opts)
  local o = options.check("universality.deviation", opts, { "points" })
  local n = o.points or 1000
  if math.type(n) ~= "integer" or n < 1 or n > MAX_POINTS then
    errors.raise(("universality.deviation: points must be a positive integer, at most %d"):format(MAX_POINTS))
  end
  if type(f) ~= "function" then errors.raise("universality.deviation: f must be a function of a number") end
  local x, y = grid("universality.deviation", f, n)
  local diff = (net:feedforward(x):double() - y):abs()
  local largest = diff:max()   -- max also returns its position
  return diff:mean(), largest
end

--- universality.curve(net [, n]) -> xs, ys
-- The network's output at n (default 500, at most 10^6) evenly spaced points from 0 to 1
-- inclusive, as two Lua lists, for plot.line.
function U.curve(net, n)
  n = n or 500
  if math.type(n) ~= "integer" or n < 2 or n > MAX_POINTS then
    errors.raise(("universality.curve: n must be an integer in 2..%d"):format(MAX_POINTS))
  end
  local x = core.linspace(0, 1, n, "float64")
  local y = net:feedforward(x:view(n, 1)):double():view(n)
  return x:totable(), y:totable()
end

--- universality.sgd_fit(f [, opts]) -> Network, history
-- The same kind of function learned instead of designed: a 1-hidden-1
-- sigmoid network trained by lunet's SGD (cross-entropy, which takes
-- targets between 0 and 1) on `points` evenly spread samples of f on
-- [0, 1]. opts: hidden (default 20), points (1000, at most 10^6), epochs (1000), batch
-- (10), eta (1.0), optimizer (as train.sgd's, default "sgd"), seed (the
-- initial weights and the shuffle; default 1), dtype ("float64"). Returns
-- the trained network and train.sgd's history.
function U.sgd_fit(f, opts)
  local fname = "universality.sgd_fit"
  local o = options.check(fname, opts, { "hidden", "points", "epochs", "batch", "eta", "optimizer", "seed", "dtype" })
  if type(f) ~= "function" then errors.raise(fname .. ": f must be a function of a number") end
  local points = o.points or 1000
  if math.type(points) ~= "integer" or points < 1 or points > MAX_POINTS then
    errors.raise(("%s: points must be a positive integer, at most %d"):format(fname, MAX_POINTS))
  end
  local x, y = grid(fname, f, points)
  core.seed(o.seed or 1)
  local net = Network({ 1, o.hidden or 20, 1 }, { dtype = o.dtype or "float64" })
  local _, _, _, _, history = net:SGD({ x = x, y = y, n = x:shape()[1] }, o.epochs or 1000, o.batch or 10,
    o.eta or 1.0, { optimizer = o.optimizer, verbose = false, progress = false })
  return net, history
end

-- ---- two inputs: towers ----------------------------------------------------

-- The four step neurons of a tower over [x1, x2] x [y1, y2]: rows of the
-- first layer's weights (w on x or on y) and biases.
local function tower_steps(fname, t, w, W, B, row)
  local cuts = { { 1, t[1] }, { 1, t[2] }, { 2, t[3] }, { 2, t[4] } }
  for k, c in ipairs(cuts) do
    W[row + k] = { c[1] == 1 and w or 0, c[1] == 2 and w or 0 }
    B[row + k] = step_bias(fname, w, c[2])
  end
end

local function check_towers(fname, towers)
  if type(towers) ~= "table" or #towers < 1 then errors.raise(fname .. ": towers must be a non-empty list") end
  for i = 1, #towers do   -- by index: ipairs stopped at a hole, and the towers after it went unchecked
    local t = towers[i]
    if type(t) ~= "table" or #t ~= 5 then
      errors.raise(("%s: tower %d must be {x1, x2, y1, y2, height}"):format(fname, i))
    end
    for k = 1, 5 do number(fname, ("tower %d's value %d"):format(i, k), t[k]) end
    if not (t[1] < t[2] and t[3] < t[4]) then errors.raise(
      ("%s: tower %d needs x1 < x2 and y1 < y2"):format(fname, i)) end
  end
end

--- universality.plateau(x1, x2, y1, y2, h [, opts]) -> Network
-- Two inputs, four step neurons (two on x at x1, x2, two on y at y1, y2)
-- with output weights h, -h, h, -h: the weighted output is a bump of
-- height h in x plus one in y, 2h on the rectangle and h on the cross
-- around it (the book's first try at a tower). opts: w (1000), dtype.
function U.plateau(x1, x2, y1, y2, h, opts)
  local fname = "universality.plateau"
  check_towers(fname, { { x1, x2, y1, y2, h } })
  local o = options.check(fname, opts, { "w", "dtype" })
  local w = o.w == nil and DEFAULT_W or positive(fname, "w", o.w)
  local W, B = {}, {}
  tower_steps(fname, { x1, x2, y1, y2 }, w, W, B, 0)
  local net = Network({ 2, 4, 1 }, { activation = { "sigmoid", "identity" }, cost = "quadratic",
    dtype = o.dtype or "float64" })
  net.weights[1]:copy(core.tensor(W, "float64"))
  net.biases[1]:copy(core.tensor(B, "float64"))
  net.weights[2]:copy(core.tensor({ { h, -h, h, -h } }, "float64"))
  net.biases[2]:fill(0)
  return net
end

--- universality.towers(towers [, opts]) -> Network
-- Towers {x1, x2, y1, y2, height} over the plane, by the book's threshold
-- trick: per tower, four step neurons as in universality.plateau feed one
-- sigmoid neuron with weights t, -t, t, -t and bias -3t/2, which is near 1
-- only where both bumps are on (2t - 3t/2 = t/2 > 0) and near 0 on the
-- cross (t - 3t/2 < 0); the output layer weights each by its height. A
-- 2-(4n)-n-1 network (each second-layer neuron reads only its own four).
-- opts: w (the steps' weight, 1000), t (the threshold neuron's weight,
-- default 100), output = "identity" (default) or "sigmoid", bias (the
-- output's, default 0), dtype ("float64").
function U.towers(towers, opts)
  local fname = "universality.towers"
  check_towers(fname, towers)
  local o = options.check(fname, opts, { "w", "t", "output", "bias", "dtype" })
  local w, output, bias, dtype = step_options(fname, { w = o.w, output = o.output, bias = o.bias, dtype = o.dtype })
  local t = o.t == nil and 100 or positive(fname, "t", o.t)
  local n = #towers
  local W1, B1, W2, B2, heights = {}, {}, {}, {}, {}
  for i, tw in ipairs(towers) do
    tower_steps(fname, tw, w, W1, B1, 4 * (i - 1))
    local row = {}
    for k = 1, 4 * n do row[k] = 0 end
    for k = 1, 4 do row[4 * (i - 1) + k] = (k % 2 == 1) and t or -t end
    W2[i], B2[i], heights[i] = row, -1.5 * t, tw[5]
  end
  local net = Network({ 2, 4 * n, n, 1 }, { activation = { "sigmoid", "sigmoid", output }, cost = "quadratic",
    dtype = dtype })
  net.weights[1]:copy(core.tensor(W1, "float64"))
  net.biases[1]:copy(core.tensor(B1, "float64"))
  net.weights[2]:copy(core.tensor(W2, "float64"))
  net.biases[2]:copy(core.tensor(B2, "float64"))
  net.weights[3]:copy(core.tensor({ heights }, "float64"))
  net.biases[3]:fill(bias)
  return net
end

--- universality.tower(x1, x2, y1, y2, h [, opts]) -> Network
-- One tower of height h over [x1, x2] x [y1, y2]: universality.towers({{x1, x2, y1, y2, h}}, opts).
function U.tower(x1, x2, y1, y2, h, opts)
  return U.towers({ { x1, x2, y1, y2, h } }, opts)
end

--- universality.surface(net [, n]) -> rows
-- A 2-input network's output on an n x n grid (default 60) of cell middles
-- over [0, 1]^2, as a list of rows for plot.heatmap: the first row is the
-- top (y near 1), columns go along x. The network runs once on all points.
function U.surface(net, n)
  n = n or 60
  if math.type(n) ~= "integer" or n < 1 or n > 1000 then
    errors.raise("universality.surface: n must be an integer in 1..1000")
  end
  local pts = {}
  for r = 1, n do
    for c = 1, n do pts[(r - 1) * n + c] = { (c - 0.5) / n, 1 - (r - 0.5) / n } end
  end
  local z = net:feedforward(core.tensor(pts, "float64")):double():view(n, n)
  return z:totable()
end

return U
