-- lunet.shape: what tensor:shape() and tensor:size() return. A plain list
-- of sizes, {3, 4}, that indexes, counts and concatenates as before and
-- prints as "3x4" (the footer's notation), so a shape reads at a glance at
-- the prompt. Loading this module puts the wrappers on the tensor methods.

local core = require "lunet.core"
local errors = require "lunet.errors"

local Shape = { __name = "Shape" }

function Shape.__tostring(s)
  if rawlen(s) == 0 then return "scalar" end
  local parts = {}
  for i = 1, rawlen(s) do parts[i] = tostring(rawget(s, i)) end
  return table.concat(parts, "x")
end

local raw_shape, raw_size = core.Tensor.shape, core.Tensor.size

--- t:shape() -> shape
-- The sizes, a new list of integers {d1, d2, ...} ({} for a 0-dimensional
-- tensor) that prints as d1xd2 ("scalar"): a lunet.Tensor.Shape.
function core.Tensor.shape(t)
  local ok, r = pcall(raw_shape, t)
  -- the core's message named raw_shape and this file's line (a closed tensor)
  if not ok then errors.raise("shape: " .. errors.message(r)) end
  return setmetatable(r, Shape)
end

--- t:size([dim]) -> integer or shape
-- The size of dimension `dim` (1-based); without it, the whole shape as t:shape().
function core.Tensor.size(t, ...)
  local ok, r = pcall(raw_size, t, ...)
  -- the core's message named raw_size and this file's line
  if not ok then errors.raise("size: " .. errors.message(r)) end
  if type(r) == "table" then setmetatable(r, Shape) end
  return r
end

return Shape
