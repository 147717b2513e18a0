-- lunet.model: loading saved networks (Module:save writes them).
--
-- The file format is lunet's own: versioned, little-endian, with a
-- checksum, written atomically (see csrc/model.c). A file whose layers
-- alternate Linear and activation layers and that has a cost loads as a
-- Network (the book's API); anything else as a Sequential.

local errors = require "lunet.errors"
local core = require "lunet.core"

local model = {}

function model.load(path)
  if type(path) ~= "string" then errors.raise("lunet.load: expected a file name") end
  local ok, net = pcall(core.net_load, path)
  if not ok then errors.raise("lunet.load: " .. tostring(net):gsub("^.-net_load: ", "")) end
  local seq = require("lunet.nn.sequential").wrap(net)
  return require("lunet.network").adopt(seq) or seq
end

return model
