-- lunet.gradcheck(model, x [, y [, opts]]) -> worst relative error, details
--
-- Compares back-propagation with central differences, (C(w + h) -
-- C(w - h)) / 2h for every parameter and every input value, on a float64
-- copy of the model (the model itself is not touched).
--
--   model  a layer, a Sequential or a Network
--   x      a batch of inputs (samples, ...)
--   y      with a cost: labels (samples) or targets (samples, outputs);
--          without one: read-out weights r, the loss being sum(r * output)
--          (random when y is nil, from lunet's seeded generator)
--   opts   cost = name (to check a cost on a model without one),
--          lambda =, reg = "l2" | "l1", n = training set size (lambda / n;
--          default the batch size), eps = 1e-5, input = true
--
-- The relative error is |a - n| / max(|a|, |n|, 1e-3), worst over all
-- values; details tell where it was (layer, param, element, analytic,
-- numeric, checked = number of values compared).

local errors = require "lunet.errors"
local core = require "lunet.core"
local options = require "lunet.opts"

local function one_hot(labels, classes)
  local ok, t = pcall(core.one_hot, labels, classes, "float64")
  if not ok then errors.raise("gradcheck: " .. tostring(t):gsub("^one_hot: ", "")) end
  return t
end

--- lunet.gradcheck(model, x [, y [, opts]]) -> worst, details
-- Checks back-propagation against central differences for every parameter
-- and input value, on a float64 copy of the model (the model is not
-- touched). y: labels or targets when the model has a cost, else read-out
-- weights (random when nil). opts: cost, lambda, reg = "l2" | "l1", n (the
-- training set size for lambda / n), eps = 1e-5, input = true. Returns the
-- worst relative error |a - n| / max(|a|, |n|, 1e-3) and where it was
-- (layer, param, element, analytic, numeric, checked); see the top of
-- lunet/gradcheck.lua.
local function gradcheck(model, x, y, opts)
  opts = options.check("gradcheck", opts, { "cost", "lambda", "reg", "n", "eps", "input" })
  local lambda = opts.lambda
  if lambda ~= nil and (type(lambda) ~= "number" or lambda ~= lambda or lambda < 0) then
    errors.raise(("gradcheck: lambda must be a number >= 0, got %s"):format(options.shown(opts.lambda)))
  end
  if opts.n ~= nil and (math.type(opts.n) ~= "integer" or opts.n < 1) then
    errors.raise(("gradcheck: n must be a positive integer, got %s"):format(tostring(opts.n)))
  end
  if opts.eps ~= nil and (type(opts.eps) ~= "number" or not (opts.eps > 0 and opts.eps < 1)) then
    errors.raise(("gradcheck: eps must be a number in (0, 1), got %s"):format(tostring(opts.eps)))
  end
  if type(model) ~= "table" or not model.net then errors.raise("gradcheck: expected a layer or a network") end
  local net = model:net(x):clone("float64")
  if opts.cost then net:set_cost(opts.cost) end
  local info = net:info()
  local batch = x:size(1)
  local outputs = 1
  for _, d in ipairs(info.output) do outputs = outputs * d end
  local t
  if info.cost then
    if y == nil then errors.raise("gradcheck: a model with a cost needs labels or targets") end
    t = y:dim() == 1 and one_hot(y, outputs) or y:double():contiguous()
  else
    t = y and y:double():contiguous() or core.randn(batch, outputs, "float64")
  end
  lambda = lambda or 0
  return errors.call("gradcheck", "gradcheck", net.gradcheck, net, x:double():contiguous(), t, {
    reg = lambda > 0 and (opts.reg or "l2") or "none",
    c = lambda / (opts.n or batch),
    eps = opts.eps, input = opts.input ~= false,
  })
end

return gradcheck
