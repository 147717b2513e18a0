-- lunet.shape: what tensor:shape() and tensor:size() return. A plain list
-- of sizes, {3, 4}, that indexes, counts and concatenates as before and
-- prints as "3x4" (the footer's notation), so a shape reads at a glance at
-- the prompt. Loading this module puts the wrappers on the tensor methods.

local core = require "lunet.core"

local Shape = { __name = "Shape" }

function Shape.__tostring(s)
  if rawlen(s) == 0 then return "scalar" end
  local parts = {}
  for i = 1, rawlen(s) do parts[i] = tostring(rawget(s, i)) end
  return table.concat(parts, "x")
end

local raw_shape, raw_size = core.Tensor.shape, core.Tensor.size

--- tensor:shape() -> shape
-- The sizes of the dimensions, a list {d1, d2, ...} that prints as d1xd2
-- (an empty list, printed "scalar", for a 0-d tensor).
function core.Tensor.shape(t)
  return setmetatable(raw_shape(t), Shape)
end

--- tensor:size([d]) -> shape or integer
-- The size of dimension d (1-based), or without d the shape (tensor:shape()).
function core.Tensor.size(t, ...)
  local r = raw_size(t, ...)
  if type(r) == "table" then setmetatable(r, Shape) end
  return r
end

return Shape
