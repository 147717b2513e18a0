-- lunet: deep learning for Lua 5.4 with a C core.
--
--   local lunet = require "lunet"
--   local training, validation, test = lunet.data.fashion_mnist()
--   local net = lunet.Network{784, 30, 10}
--   net:SGD(training, 30, 10, 0.5, { lambda = 5.0, evaluation_data = validation,
--                                    monitor_evaluation_accuracy = true })
--
-- This file gathers the public surface; each concept lives in its own file
-- under lunet/. The tensor functions come from the C core (lunet.core).

-- Lua 5.1 reads the same LUA_PATH (`luarocks path` sets it), and on Debian
-- plain `lua` is 5.1: say so rather than fail to link the 5.4 core.
if _VERSION ~= "Lua 5.4" then
  error("lunet needs Lua 5.4, and this is " .. tostring(_VERSION)
    .. ": run lua5.4 (on Debian plain `lua` is Lua 5.1) or the lunet command", 0)
end

local core = require "lunet.core"
local print_tensor = require "lunet.print"

local lunet = { version = "0.1.0" }

-- tensor creation, products and the generator, straight from the core
for _, name in ipairs {
  "zeros", "ones", "full", "rand", "randn", "arange", "linspace", "tensor",
  "seed", "matmul", "mv", "dot", "outer", "gemm", "one_hot", "threads", "load_npy", "save_npy",
} do
  lunet[name] = core[name]
end

lunet.Tensor = core.Tensor   -- the methods table: add methods here
require "lunet.shape"   -- t:shape() prints as 3x4
core.tensor_metatable.__tostring = print_tensor.tostring

--- lunet.is_tensor(x) -> boolean
-- Whether x is a lunet tensor (closed ones included).
function lunet.is_tensor(x)
  return core.is_tensor(x)
end

lunet.nn = require "lunet.nn"
lunet.Network = require "lunet.network"
lunet.network3 = require "lunet.network3"
lunet.ensemble = require "lunet.ensemble"
lunet.train = require "lunet.train"
lunet.optim = require "lunet.optim"
lunet.load = require("lunet.model").load
lunet.gradcheck = require "lunet.gradcheck"
lunet.diagnose = require "lunet.diagnose"
lunet.tune = require "lunet.tune"
lunet.linalg = core.linalg
lunet.minimize = require "lunet.minimize"
lunet.perceptron = require "lunet.perceptron"
lunet.universality = require "lunet.universality"
local profile = require "lunet.profile"
lunet.profile, lunet.profile_enabled = profile.profile, profile.enabled
lunet.profile_report, lunet.profile_text, lunet.profile_restart = profile.report, profile.text, profile.restart

-- loaded on first use: data needs files, plots are not always wanted
setmetatable(lunet, {
  __index = function(t, k)
    if k == "data" or k == "plot" then
      local m = require("lunet." .. k)
      rawset(t, k, m)
      return m
    end
  end,
})

return lunet
