-- Specs written against mutants of csrc/ that survived `make mutants`
-- (seed 1, 2 December 2026): each names the mutant it kills and checks a
-- value or message worked out by hand.
local lunet = require "lunet"
local data = require "lunet.data"
local H = require "spec.helpers"
local nn = lunet.nn

local tmp, remove_tmp = H.temp_files()

describe("survivors in csrc/", function()
  teardown(function()
    remove_tmp()
  end)

  -- csrc/tensor.c:425 (a size-1 dimension with stride 0 is one position,
  -- not an expansion): expanding a vector to (1, 3) adds a leading stride 0,
  -- and writing through that view must reach the vector.
  it("writes through an expanded view whose stride-0 dimension has size 1", function()
    local v = lunet.tensor({ 1, 2, 3 })
    local e = v:expand(1, 3)
    assert.are.same({ 0, 1 }, e:stride())
    e:fill_(7)
    assert.are.same({ 7, 7, 7 }, v:totable())
    e:copy(lunet.tensor({ { 4, 5, 6 } }))
    assert.are.same({ 4, 5, 6 }, v:totable())
    e:add_(1)
    assert.are.same({ 5, 6, 7 }, v:totable())
    -- a real expansion (size 2, stride 0) is still refused
    assert.matches("cannot copy into an expanded view", H.err(function() v:expand(2, 3):copy(lunet.zeros(2, 3)) end))
    assert.matches("cannot write into an expanded view", H.err(function() v:expand(2, 3):add_(1) end))
  end)

  -- csrc/idx.c:87 (shape_fits multiplies the non-zero sizes): 2^20 cubed is
  -- 2^60 values, times 16 bytes past int64, so the header is refused as too
  -- large before the file's length is looked at; so is a shape with a zero
  -- whose other sizes multiply past 2^63.
  it("refuses IDX headers whose sizes other than 0 are too large", function()
    local cube = string.char(0, 0, 8, 3) .. string.pack(">I4", 0x100000):rep(3)
    local p = tmp(".idx")
    H.write(p, cube)
    assert.matches("the header's shape 1048576x1048576x1048576 is too large", H.err(data.load_idx, p))
    local zero = string.char(0, 0, 8, 4) .. string.pack(">I4", 0) .. string.pack(">I4", 0xFFFFFFFF):rep(3)
    p = tmp(".idx")
    H.write(p, zero)
    assert.matches("the header's shape 0x4294967295x4294967295x4294967295 is too large", H.err(data.load_idx, p))
  end)

  -- csrc/checkpoint.c:86 (same_layer compares every field): a checkpoint of
  -- a network whose batch normalisation has momentum 0.1 does not resume a
  -- network that differs only in that momentum.
  it("refuses to resume a checkpoint whose batch-norm momentum differs", function()
    local ckpt = tmp(".ckpt")
    local function make(momentum)
      lunet.seed(3)
      return nn.Sequential({ nn.Linear(4, 3), nn.BatchNorm({ momentum = momentum }), nn.Linear(3, 2),
        nn.Softmax() }, { input = { 4 }, cost = "log_likelihood" })
    end
    lunet.seed(5)
    local training = { x = lunet.rand(6, 4), y = lunet.tensor({ 0, 1, 0, 1, 0, 1 }) }
    local o = { epochs = 1, batch = 3, eta = 0.1, verbose = false, progress = false }
    o.checkpoint = ckpt
    lunet.train.sgd(make(0.1), training, o)
    o.checkpoint, o.resume, o.epochs = nil, ckpt, 2
    local ok, err = pcall(lunet.train.sgd, make(0.2), training, o)
    assert.is_false(ok)
    assert.matches("layer 2 %(batchnorm%) differs from this network's layer 2 %(batchnorm%)", err)
    -- the same momentum resumes
    lunet.train.sgd(make(0.1), training, o)
  end)
  -- csrc/gradcheck.c:27 (the read-out loss counts only the batch's rows):
  -- after a forward of 6 huge rows the buffers keep them; a gradcheck of 2
  -- rows must not add the stale rows (times whatever follows the read-out
  -- weights in their storage) to its loss, or the central differences drown
  -- in an offset near 1e307.
  it("gradcheck of a network without a cost ignores rows left from a larger batch", function()
    lunet.seed(1)
    local c = nn.Sequential({ nn.Linear(3, 2) }, { input = { 3 }, dtype = "float64" }):net()
    local big = lunet.ones(6, 3, "float64")
    big:mul_(1e307)
    c:forward(big)
    local x = lunet.tensor({ { 0.5, -1, 2 }, { 1, 0.25, -0.5 } }, "float64")
    local storage = lunet.ones(6, 2, "float64")
    local r = storage:narrow(1, 1, 2)
    r:copy(lunet.tensor({ { 1, -2 }, { 0.5, 3 } }, "float64"))
    assert.is_true(r:is_contiguous())
    local worst, d = c:gradcheck(x, r)
    assert.is_true(worst < 1e-6, "worst relative error " .. worst)
    assert.are.equal(14, d.checked)   -- 6 weights, 2 biases, 6 inputs
  end)
  -- csrc/lua_ref.c:45 (the reference convolution's backward reads its x
  -- from argument 1): called again with a smaller input, dx has the new
  -- input's shape. 1x1 kernel of weight 2, dy all ones: dx = 2 everywhere and
  -- dw = the sum of x.
  it("the reference convolution backward takes the shape of its own input", function()
    local core = require "lunet.core"
    local function call(x, w, dy) return core._conv_backward_ref(x, w, dy, 1, 0) end
    local w = lunet.tensor({ { { { 2 } } } }, "float64")
    local big = lunet.ones(2, 1, 3, 3, "float64")
    call(big, w, lunet.ones(2, 1, 3, 3, "float64"))
    local x = lunet.tensor({ { { { 1, 2 }, { 3, 4 } } } }, "float64")
    local dx, dw = call(x, w, lunet.ones(1, 1, 2, 2, "float64"))
    assert.are.same({ 1, 1, 2, 2 }, dx:shape())
    assert.are.same({ { { { 2, 2 }, { 2, 2 } } } }, dx:totable())
    assert.are.same({ { { { 10 } } } }, dw:totable())
  end)
end)
