-- lunet.nn.Sequential: layers applied one after the other, over one C
-- network (one block of parameters, one of gradients).
--
--   nn.Sequential({ layers... } [, { input = {1, 28, 28}, cost = "log_likelihood", dtype = "float64" }])
--
-- Sequentials inside are flattened into their layers.

local errors = require "lunet.errors"
local Module = require "lunet.nn.module"
local opts = require "lunet.opts"

local Sequential = {}
Sequential.__index = Sequential
Sequential.__name = "Sequential"
Sequential.__tostring = Module.__tostring

local function collect(layers, out)
  for i, m in ipairs(layers) do
    if type(m) ~= "table" or not m._layers then
      errors.raise(("Sequential: element %d is not a layer (%s)"):format(i, type(m)))
    end
    if m.spec then out[#out + 1] = m else collect(m._layers, out) end
  end
  return out
end

local COSTS = { quadratic = true, cross_entropy = true, log_likelihood = true }
local DTYPES = { float32 = "float32", float = "float32", float64 = "float64", double = "float64" }

-- Checked before anything is built: a Sequential without a known input
-- shape would otherwise only fail at its first forward.
local function check_opts(o)
  o = opts.check("nn.Sequential", o, { "input", "cost", "dtype" }, 3)
  if o.cost ~= nil and not COSTS[o.cost] then
    errors.fail("nn.Sequential", "unknown cost '%s' (cross_entropy, quadratic, log_likelihood)", tostring(o.cost))
  end
  if o.dtype ~= nil and not DTYPES[o.dtype] then
    errors.raise(("nn.Sequential: unknown dtype '%s' (float32, float64)"):format(tostring(o.dtype)))
  end
  local input
  if o.input ~= nil then
    input = {}
    if type(o.input) ~= "table" or rawlen(o.input) < 1 or rawlen(o.input) > 3 then
      errors.raise("nn.Sequential: input must be a list of 1 to 3 sizes, e.g. {1, 28, 28}")
    end
    for i = 1, rawlen(o.input) do
      local d = rawget(o.input, i)
      if math.type(d) ~= "integer" or d < 1 then
        errors.raise(("nn.Sequential: input size %d must be a positive integer, got %s"):format(i, tostring(d)))
      end
      input[i] = d
    end
  end
  return { input = input, cost = o.cost, dtype = DTYPES[o.dtype] }
end

local function new(layers, o)
  if type(layers) ~= "table" or #layers == 0 then
    errors.raise("Sequential takes a non-empty list of layers")
  end
  o = check_opts(o)
  local self = Module.new_container(Sequential, collect(layers, {}), o)
  if self:input_shape() then self:build() end
  return self
end

--- Sequential.wrap(net) -> Sequential
-- A Sequential over an existing C network, with new layer objects for its
-- layers (a loaded model, a clone).
function Sequential.wrap(net)
  local info = net:info()
  local nn = require "lunet.nn"
  local layers = {}
  for i = 1, info.nlayers do layers[i] = nn.from_spec(net:layer(i).spec) end
  local self = Module.new_container(Sequential, layers, { input = info.input, cost = info.cost, dtype = info.dtype })
  self._net = net
  for i, layer in ipairs(layers) do layer._home, layer._pos = self, i end
  return self
end

--- model:clone([dtype]) -> model
-- The same layers and values in a new network, e.g. in float64 for a
-- gradient check. A Network stays a Network.
function Sequential:clone(dtype)
  errors.method(self, "model:clone")
  local copy = Sequential.wrap(self:net():clone(dtype))
  local mt = getmetatable(self)
  if mt ~= Sequential then
    for k, v in pairs(self) do
      if copy[k] == nil then copy[k] = v end
    end
    setmetatable(copy, mt)
  end
  return copy
end

return setmetatable(Sequential, { __index = Module, __call = function(_, ...) return new(...) end })
