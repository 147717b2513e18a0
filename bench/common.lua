-- bench/common.lua: what bench/mlp.lua and bench/conv.lua share.
local core = require "lunet.core"

local common = {}

function common.json_list(t)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = ("%.6g"):format(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

local function median(times)
  local sorted = { table.unpack(times) }
  table.sort(sorted)
  return sorted[(#sorted + 1) // 2]
end

-- Times `repeats` epochs of SGD on the training set after a warm-up on
-- 2,000 images, calling the C epoch directly (no monitors). Returns the
-- median and the list of times in seconds, and the list of the process's
-- CPU seconds per epoch (os.clock; on a shared machine the steadier figure).
function common.time_epochs(model, training, batch, optimizer_opts, repeats)
  local net = model:net()
  local optim = core.optimizer(net, optimizer_opts)
  local warm_n = math.min(2000, training.n)
  local warm = { x = training.x:narrow(1, 1, warm_n), y = training.y:narrow(1, 1, warm_n) }
  core.train_epoch(net, optim, warm, batch, { progress = false })
  local times, cpu = {}, {}
  for r = 1, repeats do
    local c0 = os.clock()
    times[r] = core.train_epoch(net, optim, training, batch, { progress = false })
    cpu[r] = os.clock() - c0
  end
  return median(times), times, cpu
end

-- Times `repeats` passes of predictions over a data set (forward in the
-- evaluator's chunks of 200, argmax, count correct: core.evaluate without
-- the cost, as net:accuracy runs it) after one untimed pass. Returns the
-- median, the list, the correct count and the list of CPU seconds.
function common.time_inference(model, data, repeats)
  local net = model:net()
  local clock = core.clock
  local _, correct = core.evaluate(net, data, { cost = false })
  local times, cpu = {}, {}
  for r = 1, repeats do
    local t0, c0 = clock(), os.clock()
    _, correct = core.evaluate(net, data, { cost = false })
    times[r], cpu[r] = clock() - t0, os.clock() - c0
  end
  return median(times), times, correct, cpu
end

-- The first n samples of a data set (the bench's quick mode), or all.
function common.subset(data, n)
  if not n or n <= 0 or n >= data.n then return data end
  return { x = data.x:narrow(1, 1, n), y = data.y:narrow(1, 1, n), n = n }
end

-- Peak resident memory of this process so far, in MB (VmHWM), or nil.
function common.peak_rss_mb()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local kb = text:match("VmHWM:%s*(%d+)")
  return kb and tonumber(kb) / 1024 or nil
end

-- Floating-point operations of the matrix products per sample, counted
-- 2 per multiply-add: `layers` lists {n_in, n_out, positions} (positions:
-- output positions per sample for a convolution, whose n_in is c_in k k;
-- 1 for a dense layer). Training does the forward product, dW and dx
-- (no dx for the first layer); inference only the forward product.
function common.product_flops(layers, training)
  local total = 0
  for i, l in ipairs(layers) do
    local f = 2 * l[1] * l[2] * (l[3] or 1)
    total = total + (training and (i == 1 and 2 or 3) or 1) * f
  end
  return total
end

return common
