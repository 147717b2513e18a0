-- lunet.train.sgd's resume under hostile checkpoints, sixth round: a
-- trainer text, resealed, whose values have the right types but not
-- values a run can hold (an epoch whose successor wraps around, NaN or
-- negative counters, a zero rate). Each is refused before anything is
-- restored.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local function model()
  lunet.seed(9)
  return nn.Sequential({ nn.Linear(4, 3), nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
end

local function data()
  lunet.seed(10)
  local y = lunet.zeros(6)
  for i = 1, 6 do y[i] = (i - 1) % 3 end
  return { x = lunet.rand(6, 4), y = y }
end

local function options(t) return H.sgd_opts(t, 2) end

-- The checkpoint at path with its trainer text replaced, checksum resealed.
local function with_text(path, text)
  local bytes, old = H.read(path), core.checkpoint_text(path)
  local prefix = bytes:sub(1, #bytes - 4 - #old - 8)
  local body = prefix .. string.pack("<I8", #text) .. text
  H.write(path, body .. string.pack("<I4", H.crc32(body)))
end

describe("a resealed trainer text", function()
  local tmp
  before_each(function() tmp = H.tmpname(".ckpt") end)
  after_each(function() os.remove(tmp) end)

  local cases = {
    { "root.epoch i:1", "root.epoch i:" .. math.maxinteger },   -- epoch + 1 wrapped to -2^63
    { "root.state.stale i:0", "root.state.stale n:nan" },       -- early stopping never fires
    { "root.state.stale i:0", "root.state.stale i:-5" },
    { "root.state.stale_eta i:0", "root.state.stale_eta n:0x1.8p+0" },
    { "root.state.best_epoch i:0", "root.state.best_epoch n:inf" },
    { "root.state.best i:-1", "root.state.best n:nan" },        -- no epoch is ever better
    { "root.state.best i:-1", "root.state.best n:-inf" },
    { "root.state.eta n:0x1.999999999999ap-4", "root.state.eta i:0" },
    { "root.state.eta n:0x1.999999999999ap-4", "root.state.eta n:nan" },
  }

  it("whose values no run holds is refused before anything is restored", function()
    for i, case in ipairs(cases) do
      lunet.train.sgd(model(), data(), options { checkpoint = tmp })
      local text = core.checkpoint_text(tmp)
      local changed = text:gsub(case[1]:gsub("%p", "%%%0"), (case[2]:gsub("%%", "%%%%")))
      assert.are_not.equal(text, changed, "case " .. i)
      with_text(tmp, changed)
      local fresh = model()
      fresh:flat_parameters():fill_(0.5)
      local err = H.err(lunet.train.sgd, fresh, data(), options { resume = tmp, epochs = 2 })
      assert.matches("resume: .* does not hold a lunet training run", err, nil, "case " .. i)
      assert.are.equal(0, H.maxdiff(fresh:flat_parameters():totable(),
        lunet.zeros(fresh:flat_parameters():numel()):fill_(0.5):totable()), "case " .. i)
    end
  end)

  it("as saved is still resumed", function()
    lunet.train.sgd(model(), data(), options { checkpoint = tmp })
    local _, _, _, _, h = lunet.train.sgd(model(), data(), options { resume = tmp, epochs = 2 })
    assert.are.same({ 1, 2 }, h.epoch)
  end)
end)
