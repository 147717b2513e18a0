-- lunet: deep learning for Lua 5.4 with a C core.
--
--   local lunet = require "lunet"
--   local t = lunet.randn(3, 4)
--
-- This file gathers the public surface; each concept lives in its own file
-- under lunet/. The tensor functions come from the C core (lunet.core).

local core = require "lunet.core"
local print_tensor = require "lunet.print"

local lunet = { version = "0.1.0" }

-- tensor creation, products and the generator, straight from the core
for _, name in ipairs {
  "zeros", "ones", "full", "rand", "randn", "arange", "linspace", "tensor",
  "seed", "matmul", "mv", "dot", "outer", "gemm", "threads", "load_npy", "save_npy",
} do
  lunet[name] = core[name]
end

lunet.Tensor = core.Tensor   -- the methods table: add methods here
core.tensor_metatable.__tostring = print_tensor.tostring

function lunet.is_tensor(x)
  return getmetatable(x) == core.tensor_metatable
end

return lunet
