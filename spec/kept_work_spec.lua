-- What this stop's speed-ups keep between calls, checked against starting
-- afresh: the dense layer's W^T over the chunks of one pass, huge-page
-- blocks for big tensors, the unit-stride element loops, one-log
-- cross-entropy, and minimize freeing the line search's trial vectors.
local lunet = require "lunet"
local H = require "spec.helpers"

-- A float64 784-30-10 problem of n images (several chunks of the
-- objective, of EVAL_CHUNK rows for evaluation), labels 0..9.
local function problem(n, seed)
  lunet.seed(seed)
  local net = lunet.Network({ 784, 30, 10 }, { dtype = "float64" })
  local x = lunet.rand(n, 784, "float64")
  local y = lunet.zeros(n)
  for i = 1, n do y[i] = (i * 7 + seed) % 10 end
  return net, { x = x, y = y }
end

local function same(a, b, what)
  assert.are.same(a:totable(), b:totable(), what)
end

describe("work kept between calls", function()
  it("an objective at w2 after w1 is a fresh objective's at w2 (W^T is transposed again)", function()
    local net, data = problem(700, 1)
    local f, w1 = lunet.optim.objective(net, data)
    local w2 = w1:clone():mul_(0.5):add_(0.01)
    local fresh_net = problem(700, 1)
    local g, _ = lunet.optim.objective(fresh_net, data)
    local c1 = f(w1)
    local c2, g2 = f(w2)
    local d2, h2 = g(w2)
    assert.are.equal(d2, c2)
    same(g2, h2, "gradient at w2")
    assert.are_not.equal(c1, c2)
    local c1b, g1b = f(w1)
    assert.are.equal(c1, c1b)
    local _, g1 = g(w1)
    same(g1b, g1, "gradient back at w1")
  end)

  it("a data set's cost after the weights change in place is the cost of a fresh copy", function()
    local net, data = problem(650, 2)   -- over three chunks of evaluation
    local before = net:total_cost(data)
    net.weights[1]:mul_(0.25)
    local after = net:total_cost(data)
    assert.are_not.equal(before, after)
    local copy = problem(650, 2)
    copy.weights[1]:copy(net.weights[1])
    assert.are.equal(copy:total_cost(data), after)
    same(copy:feedforward(data.x), net:feedforward(data.x), "outputs")
  end)

  -- W^T is a buffer of n_in rows of 8 doubles for one output (8 times W),
  -- for batches of 32 rows or more: it must neither be made for one row nor
  -- fail a forward pass that can go on without it
  it("runs a one-row forward of a wide one-output layer within a memory limit W^T would pass", function()
    if os.getenv("LUNET_ASAN") then return end   -- the sanitizer's shadow memory cannot map under ulimit -v
    -- only the AVX-512 kernels use W^T; elsewhere the product is OpenBLAS's,
    -- whose buffers are its own matter (it retries a failed malloc forever)
    if require("lunet.core")._skinny_level() ~= "avx512" then return end
    local code = [[
      local lunet = require "lunet"
      local n = 16000000   -- W 128 MB; W^T would be 1 GB
      local m = lunet.nn.Sequential({ lunet.nn.Linear(n, 1) }, { dtype = "float64" })
      local y = m:forward(lunet.zeros(1, n, "float64"))
      print(("ok %g"):format(y[1][1]))
    ]]
    local script = H.tmpname(".lua")
    H.write(script, code)
    local p = io.popen("env -u LD_PRELOAD sh -c '. bench/paths.sh && ulimit -v 1000000 && timeout 120 lua5.4 "
      .. script .. "' 2>&1")
    local out = p:read("a")
    p:close()
    os.remove(script)
    assert.is_truthy(out:match("^ok "), out)
  end)

  it("gives big tensors (huge-page blocks) zeros, values that survive and room after freeing", function()
    for _, n in ipairs { 262144, 262144 + 3, 3 * 262144 + 511 } do   -- 2 MB and more of float64
      for round = 1, 2 do
        local t = lunet.zeros(n, "float64")
        assert.are.equal(0, t:abs():max(), ("zeros of %d, round %d"):format(n, round))
        t[1], t[n] = 1.5, -2.5
        t:narrow(1, 2, n - 2):fill(3)
        local c = t:clone()
        assert.are.equal(1.5, c[1])
        assert.are.equal(-2.5, c[n])
        assert.are.equal(3 * (n - 2) - 1, c:sum())
        t:close()
        c:close()
      end
    end
    local f32 = lunet.zeros(1024, 1024, "float32")   -- 4 MB of float32
    assert.are.equal(0, f32:abs():max())
  end)

  it("element-wise arithmetic on contiguous vectors equals the strided loops", function()
    for _, dtype in ipairs { "float32", "float64" } do
      lunet.seed(3)
      local a, b = lunet.randn(37, 5, dtype), lunet.randn(37, 5, dtype):add_(3)
      local at, bt = a:t():contiguous(), b:t():contiguous()   -- the same values, read with strides by :t()
      for _, op in ipairs { "add", "sub", "mul", "div" } do
        same(a[op](a, b), at:t()[op](at:t(), bt:t()):contiguous(), dtype .. " " .. op)
        same(a[op](a, 1.25), at:t()[op](at:t(), 1.25):contiguous(), dtype .. " " .. op .. " number")
        local c = a:clone()
        c[op .. "_"](c, b)
        same(c, a[op](a, b), dtype .. " " .. op .. "_")
      end
    end
  end)

  it("counts non-finite values in contiguous and strided tensors alike", function()
    for _, dtype in ipairs { "float32", "float64" } do
      local t = lunet.zeros(9, 7, dtype)
      assert.is_true(t:all_finite())
      assert.is_true(t:t():all_finite())
      for _, v in ipairs { math.huge, -math.huge, 0 / 0 } do
        local u = t:clone()
        u[5][3] = v
        assert.is_false(u:all_finite())
        assert.is_false(u:t():all_finite())
        assert.is_false(u:narrow(1, 5, 1):all_finite())
        assert.is_true(u:narrow(1, 6, 4):all_finite())
      end
    end
  end)

  it("takes cross-entropy's one logarithm per output where the target is 0 or 1, as the formula", function()
    lunet.seed(5)
    local net = lunet.Network({ 4, 3 }, { dtype = "float64" })
    local x = lunet.randn(6, 4, "float64")
    local y = lunet.zeros(6)
    for i = 1, 6 do y[i] = i % 3 end
    local a = net:feedforward(x):totable()
    local want = 0
    for i = 1, 6 do
      for j = 1, 3 do
        local t = (j - 1 == y[i]) and 1 or 0
        want = want - (t * math.log(a[i][j]) + (1 - t) * math.log(1 - a[i][j]))
      end
    end
    local got = net:total_cost({ x = x, y = y })
    assert(math.abs(got - want / 6) <= 1e-15 * math.abs(want / 6), ("%.17g vs %.17g"):format(got, want / 6))
    -- targets between 0 and 1 still take both logarithms
    local soft = lunet.full(0.25, 6, 3, "float64")
    local want_soft = 0
    for i = 1, 6 do
      for j = 1, 3 do
        want_soft = want_soft - (0.25 * math.log(a[i][j]) + 0.75 * math.log(1 - a[i][j]))
      end
    end
    local got_soft = net:total_cost({ x = x, y = soft })
    assert(math.abs(got_soft - want_soft / 6) <= 1e-15 * math.abs(want_soft / 6))
  end)

  it("checks labels read in place (float32, float64), naming the first bad one", function()
    local net = lunet.Network({ 4, 3 }, { dtype = "float64" })
    local x = lunet.randn(6, 4, "float64")
    for _, dtype in ipairs { "float32", "float64" } do
      for _, bad in ipairs { 3, -1, 0.5, 2.5 } do
        local wide = lunet.zeros(6, 2, dtype)
        wide:select(2, 1):copy(lunet.tensor({ 0, 1, 2, 2, 1, 0 }, dtype))
        wide[5][1], wide[4][1] = bad, 1
        local ok, err = pcall(net.total_cost, net, { x = x, y = wide:select(2, 1):contiguous() })
        assert.is_false(ok)
        assert.matches("sample 5 is not a class 0..2", tostring(err), 1, true)
        wide[5][1] = 2
        assert.is_number(net:total_cost({ x = x, y = wide:select(2, 1):contiguous() }))
      end
    end
  end)

  it("frees every point and gradient L-BFGS moves on from when f returns fresh gradients", function()
    local given, made = {}, {}
    local f = require("lunet.minimize").fresh_gradient(function(x)   -- Rosenbrock in 4 dimensions
      given[#given + 1] = x
      local v, n = x:totable(), x:size(1)
      local c, g = 0, lunet.zeros(n, "float64")
      for i = 1, n - 1 do
        local a, b = v[i + 1] - v[i] ^ 2, 1 - v[i]
        c = c + 100 * a * a + b * b
        g[i] = g[i] - 400 * v[i] * a - 2 * b
        g[i + 1] = g[i + 1] + 200 * a
      end
      made[#made + 1] = g
      return c, g
    end)
    local x, h = lunet.optim.minimize(f, { -1.2, 1, -1.2, 1 }, { method = "lbfgs", max_iter = 200 })
    assert.is_true(h.converged, h.reason)
    assert.is_true(h.evaluations > h.iterations + 1, "some trial steps were rejected")
    local open_x, open_g = 0, 0
    for i = 1, #made do
      if not made[i]:is_closed() then open_g = open_g + 1 end
      if not given[i]:is_closed() then open_x = open_x + 1 end
    end
    assert.are.equal(1, open_g)   -- the last gradient, which the last iterate kept
    assert.are.equal(1, open_x)   -- the point returned
    assert.is_false(x:is_closed())
    for i = 1, 4 do assert(math.abs(x[i] - 1) < 1e-4) end
  end)
end)

describe("accuracy with NaN outputs", function()
  it("counts a sample whose outputs are NaN as wrong, whatever its label", function()
    lunet.seed(9)
    local net = lunet.Network({ 4, 3 }, { dtype = "float64" })
    local x = lunet.randn(6, 4, "float64")
    local y = lunet.zeros(6)   -- every label 0: class 0 was the NaN rows' guess
    local before = net:accuracy({ x = x, y = y })
    assert.is_true(before >= 0 and before <= 1)
    net.weights[1][2][3] = 0 / 0   -- output 2 is NaN for every sample
    assert.are.equal(0, net:accuracy({ x = x, y = y }))
    local ok = pcall(net.total_cost, net, { x = x, y = y })
    assert.is_true(ok)
  end)
end)
