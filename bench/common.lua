-- bench/common.lua: what bench/mlp.lua and bench/conv.lua share.
local core = require "lunet.core"

local common = {}

function common.json_list(t)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = ("%.6g"):format(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

-- Times `repeats` epochs of SGD on the training set after a warm-up on
-- 2,000 images, calling the C epoch directly (no monitors). Returns the
-- median and the list of times in seconds.
function common.time_epochs(model, training, batch, optimizer_opts, repeats)
  local net = model:net()
  local optim = core.optimizer(net, optimizer_opts)
  local warm = { x = training.x:narrow(1, 1, 2000), y = training.y:narrow(1, 1, 2000) }
  core.train_epoch(net, optim, warm, batch, { progress = false })
  local times = {}
  for r = 1, repeats do
    times[r] = core.train_epoch(net, optim, training, batch, { progress = false })
  end
  local sorted = { table.unpack(times) }
  table.sort(sorted)
  return sorted[(#sorted + 1) // 2], times
end

return common
