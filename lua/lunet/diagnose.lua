-- lunet.diagnose: looking inside a network (the book's chapter 5).
--
--   local diagnose = lunet.diagnose
--   local layers = diagnose.trace(net, x)            -- z and a of every layer
--   local frac = diagnose.saturation(net, data)      -- saturated fraction per activation layer
--   local bars = diagnose.bias_gradients(net, data, { neurons = 6, file = "bars.svg" })
--   local s = diagnose.cost_slice(net, data, { direction = "filter", steps = 25, file = "slice.svg" })
--
-- Nothing here changes the network: parameters are put back after a cost
-- slice, and the measurements run in evaluation mode (dropout off).

local errors = require "lunet.errors"
local core = require "lunet.core"
local opts = require "lunet.opts"
local train = require "lunet.train"

local diagnose = {}

local function fail(fname, msg, ...)
  errors.raise(("lunet.diagnose.%s: %s"):format(fname, msg:format(...)))
end

local function check_set(fname, data)
  if type(data) ~= "table" or not core.is_tensor(data.x)
      or not core.is_tensor(data.y) then
    fail(fname, "a data set is a table {x = inputs, y = labels or targets}")
  end
end

local function layer_types(model)
  local types = {}
  for i, layer in ipairs(model:layers()) do types[i] = layer.spec.type end
  return types
end

local PARAMETRIC = { dense = true, conv2d = true }
local SQUASH = { act = true, softmax = true }

--- diagnose.trace(model, x) -> { {layer =, z =, a =}, ... }
-- The weighted inputs z and activations a of every layer with weights
-- (Linear, convolution) for the inputs x (one sample or a batch), in
-- evaluation mode: z is that layer's output, a the output of the
-- activation (or softmax) that follows it, or z itself when none does.
-- layer is the position of the weighted layer in the model.
function diagnose.trace(model, x)
  if not core.is_tensor(x) then fail("trace", "x must be a tensor") end
  local single = x:dim() == 1
  local batch = single and x:reshape(1, x:numel()) or x
  local net = model:net(batch)
  net:forward(batch, false)
  local types, out = layer_types(model), {}
  local function shaped(t) return single and t:view(t:numel()) or t end
  for i, t in ipairs(types) do
    if PARAMETRIC[t] then
      local z = net:output(i)
      local a = SQUASH[types[i + 1]] and net:output(i + 1) or z
      out[#out + 1] = { layer = i, z = shaped(z), a = shaped(a) }
    end
  end
  return out
end

--- diagnose.saturation(model, data [, {eps = 0.01}]) -> fractions, layers
-- For every sigmoid, tanh and ReLU layer of the model: the fraction of
-- outputs over data within eps of the function's limits (sigmoid: 0 and 1;
-- tanh: -1 and 1), and for ReLU the fraction of units that give 0 for every
-- sample of data (dead units). layers lists the activation layers'
-- positions in the model. train.sgd{saturation = true} records the same
-- each epoch (history.saturation).
function diagnose.saturation(model, data, o)
  o = opts.check("lunet.diagnose.saturation", o, { "eps" })
  check_set("saturation", data)
  local net = model:net(data.x)
  local ok, frac, layers = pcall(core.saturation, net, data, o.eps or 0.01)
  if not ok then fail("saturation", "%s", tostring(frac):gsub("^.-saturation: ", "")) end
  return frac, layers
end

-- The gradient of the mean cost over data, left in the network's
-- gradient block (evaluation mode, no penalty).
local function full_gradient(model, data)
  local f, w = require("lunet.optim").objective(model, data)
  f(w)
end

--- diagnose.bias_gradients(model, data [, {neurons = 6, file =, title =}]) -> { {dC/db...}, ... }
-- The book's chapter 5 bars: dC/db for the first `neurons` neurons of
-- every hidden layer (every layer with weights but the last), C the mean
-- cost over data, one list per hidden layer. With file, also draws them as
-- grouped bars (one colour per hidden layer) in an SVG.
function diagnose.bias_gradients(model, data, o)
  o = opts.check("lunet.diagnose.bias_gradients", o, { "neurons", "file", "title" })
  check_set("bias_gradients", data)
  local k = o.neurons or 6
  if math.type(k) ~= "integer" or k < 1 then fail("bias_gradients", "neurons must be a positive integer") end
  model:net(data.x)
  full_gradient(model, data)
  local biases = {}
  for _, p in ipairs(model:parameters()) do
    if p.name == "bias" then biases[#biases + 1] = p.grad end
  end
  local out = {}
  for l = 1, #biases - 1 do
    local g = biases[l]:contiguous():view(biases[l]:numel())
    out[l] = g:narrow(1, 1, math.min(k, g:numel())):totable()
  end
  if o.file then
    local labels, series = {}, {}
    for i = 1, k do labels[i] = "neuron " .. i end
    for l, list in ipairs(out) do series[l] = { name = "hidden layer " .. l, values = list } end
    require("lunet.plot").bar { labels = labels, series = series, ylabel = "dC/db", xlabel = "neuron",
      title = o.title or "dC/db of the first neurons of each hidden layer", file = o.file }
  end
  return out
end

-- A random direction as a flat tensor: N(0, 1) per parameter, the whole
-- scaled to the norm of w, or
-- normalised filter by filter (Li et al., 2018): each row of a weight
-- tensor (one neuron's or filter's weights) scaled to the norm of the
-- same row of the weights, biases and other parameters left at 0.
local function direction(model, kind)
  local flat = model:net():parameters()
  local w0 = flat:clone()
  for _, p in ipairs(model:parameters()) do
    local v = p.value
    local d = core.randn(v:shape(), { dtype = v:dtype() })
    if kind == "filter" then
      if p.name == "weight" and v:dim() >= 2 then
        local rows = v:size(1)
        local wr, dr = v:reshape(rows, v:numel() // rows), d:reshape(rows, v:numel() // rows)
        local ratio = wr:norm(2, 2):div(dr:norm(2, 2):add(1e-30))
        d = dr:mul(ratio:view(rows, 1)):view(v:shape())
      else
        d:zero_()
      end
    end
    v:copy(d)
  end
  local d = flat:clone()
  flat:copy(w0)
  if kind == "random" then d:mul_(w0:norm() / math.max(d:norm(), 1e-300)) end
  return d
end

local function direction_of(fname, model, spec)
  if spec == nil or spec == "random" or spec == "filter" then return direction(model, spec or "random") end
  if type(spec) == "table" and type(spec.net) == "function" then   -- another trained model: the way to it
    local other = spec:net():parameters()
    local mine = model:net():parameters()
    if other:numel() ~= mine:numel() then fail(fname, "the other model has a different number of parameters") end
    return core.zeros(mine:numel(), mine:dtype()):copy(other):sub(mine)
  end
  if core.is_tensor(spec) then return spec end
  fail(fname, "a direction is \"random\", \"filter\", another model of the same shape or a flat tensor")
end

local function steps_of(fname, range, steps)
  range = range or { -1, 1 }
  local ok = type(range) == "table" and type(range[1]) == "number" and type(range[2]) == "number"
  if not (ok and range[1] < range[2] and range[2] - range[1] < math.huge) then
    fail(fname, "range must be {from, to} with from < to")
  end
  if math.type(steps) ~= "integer" or steps < 2 or steps > 1001 then fail(fname, "steps must be an integer 2..1001") end
  local t = {}
  for i = 1, steps do t[i] = range[1] + (range[2] - range[1]) * (i - 1) / (steps - 1) end
  return t
end

--- diagnose.cost_slice(model, data [, opts]) -> slice
-- The cost over data (with the L2/L1 penalty when lambda > 0) along lines
-- through the model's parameters w: C(w + t d) for t in range (default
-- {-1, 1}, `steps` values, default 21), or with a second direction
-- (`direction2`) the surface C(w + s d + t d2) on a steps x steps grid.
-- A direction is "random" (N(0, 1) per parameter, scaled to the norm of
-- w), "filter" (normalised neuron by neuron, Li et al. 2018), another
-- model of the same shape (d = its parameters - w: t = 1 reaches it; use
-- range {-0.5, 1.5} to see both) or a flat tensor. Returns {t =, cost =}
-- for a line, {s =, t =, cost = rows of the grid} for a surface, and
-- draws it (a line chart or a heat map, rows t, columns s) with file =.
-- Options: direction, direction2, range, steps, lambda, reg, seed (for
-- the random directions), file, title. The parameters are put back.
function diagnose.cost_slice(model, data, o)
  local fname = "cost_slice"
  o = opts.check("lunet.diagnose.cost_slice", o,
    { "direction", "direction2", "range", "steps", "lambda", "reg", "seed", "file", "title" })
  check_set(fname, data)
  local net = model:net(data.x)
  if o.seed ~= nil then core.seed(o.seed) end
  local t = steps_of(fname, o.range, o.steps or 21)
  local d1 = direction_of(fname, model, o.direction)
  local d2 = o.direction2 ~= nil and direction_of(fname, model, o.direction2) or nil
  local flat = net:parameters()
  local w0 = flat:clone()
  local function cost_at(a, b)
    flat:copy(w0)
    flat:add_(d1:mul(a))
    if d2 then flat:add_(d2:mul(b)) end
    return (train.evaluate(model, data, o.lambda or 0, o.reg))
  end
  local ok, result = pcall(function()
    if not d2 then
      local cost = {}
      for i, a in ipairs(t) do cost[i] = cost_at(a) end
      return { t = t, cost = cost }
    end
    local grid = {}
    for j, b in ipairs(t) do
      grid[j] = {}
      for i, a in ipairs(t) do grid[j][i] = cost_at(a, b) end
    end
    return { s = t, t = t, cost = grid }
  end)
  flat:copy(w0)
  if not ok then error(result, 0) end
  if o.file then
    local plot = require "lunet.plot"
    if d2 then
      local labels = {}
      for i, v in ipairs(t) do labels[i] = (i == 1 or i == #t or i == (#t + 1) // 2) and ("%.2g"):format(v) or "" end
      plot.heatmap { data = result.cost, collabels = labels, rowlabels = labels, xlabel = "s (direction 1)",
        ylabel = "t (direction 2)", title = o.title or "cost surface", file = o.file }
    else
      plot.line { series = { { name = "cost", x = t, y = result.cost } }, xlabel = "t", ylabel = "cost",
        title = o.title or "cost along a direction", file = o.file }
    end
  end
  return result
end

return diagnose
