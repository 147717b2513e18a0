-- lunet.model: loading saved networks (Module:save writes them).
--
-- The file format is lunet's own: versioned, little-endian, with a
-- checksum, written atomically (see csrc/model.c). A file whose layers
-- alternate Linear and activation layers and that has a cost loads as a
-- Network (the book's API); anything else as a Sequential.

local errors = require "lunet.errors"
local core = require "lunet.core"

local model = {}

--- lunet.load(path) -> Network or Sequential
-- Reads a model written by model:save(path): a Network when its layers
-- alternate Linear and activation layers and it has a cost, else a
-- Sequential. The file's checksum, version and every size are checked
-- first; errors say what is wrong with the file.
function model.load(path)
  if type(path) ~= "string" then errors.raise("lunet.load: expected a file name") end
  local ok, net = pcall(core.net_load, path)
  if not ok then errors.raise("lunet.load: " .. tostring(net):gsub("^.-net_load: ", "")) end
  local seq = require("lunet.nn.sequential").wrap(net)
  return require("lunet.network").adopt(seq) or seq
end

return model
