-- lunet.universality in float64: steps, bumps, towers and the book's
-- design, against the formulas evaluated in plain Lua.
local lunet = require "lunet"
local H = require "spec.helpers"
local U = lunet.universality

local function s(z) return 1 / (1 + math.exp(-z)) end
local function at(net, ...) return net:feedforward(lunet.tensor({ { ... } }, "float64"))[{ 1, 1 }] end

describe("universality: one input", function()
  it("places the step at s = -b/w", function()
    assert.are.equal(0.4, U.step_position(1000, -400))
    assert.are.equal(-0.25, U.step_position(-8, -2))
    assert.matches("w must not be 0", H.err(U.step_position, 0, 1))
    for _, w in ipairs { 5, 50, 1000 } do
      local net = U.neuron(w, -0.3 * w)
      assert.are.equal(0.5, at(net, 0.3))
      for _, x in ipairs { 0, 0.1, 0.29, 0.31, 0.8 } do H.near(at(net, x), s(w * x - 0.3 * w), 1e-14) end
    end
  end)

  it("a large weight makes a step: within 1e-6 of 0 or 1 at 0.002 from s when w = 10^4", function()
    local net = U.step(0.6, { w = 1e4 })
    for _, x in ipairs { 0, 0.3, 0.598 } do assert.is_true(at(net, x) < 1e-6) end
    for _, x in ipairs { 0.602, 0.9, 1 } do assert.is_true(at(net, x) > 1 - 1e-6) end
  end)

  it("a pair of steps with output weights h and -h is a bump of height h", function()
    local h, w = 0.8, 500
    local net = U.bump(0.4, 0.6, h, { w = w })
    for _, x in ipairs { 0, 0.39, 0.41, 0.5, 0.6, 0.75 } do
      H.near(at(net, x), h * s(w * (x - 0.4)) - h * s(w * (x - 0.6)), 1e-13)
    end
    H.near(at(net, 0.5), h, 1e-20)   -- tails of s(-50): 2e-22
    assert.is_true(math.abs(at(net, 0.2)) < 1e-20)
    local sig = U.bump(0.4, 0.6, h, { w = w, output = "sigmoid", bias = -1 })
    H.near(at(sig, 0.5), s(h - 1), 1e-14)
    assert.matches("s1 must be less than s2", H.err(U.bump, 0.6, 0.4, 1))
    assert.matches("unknown option 'weight'", H.err(U.bump, 0.4, 0.6, 1, { weight = 3 }))
    assert.matches("output must be", H.err(U.bump, 0.4, 0.6, 1, { output = "relu" }))
  end)

  it("the design gives f at every bump's middle and aims at the inverse sigmoid of f", function()
    local f = U.book_function
    for _, n in ipairs { 5, 10, 20 } do
      local net, heights, edges = U.approximate(f, n)
      assert.are.equal(n, #heights)
      assert.are.equal(n + 1, #edges)
      for j = 1, n do
        local m = (j - 0.5) / n
        H.near(heights[j], math.log(f(m) / (1 - f(m))), 1e-14)
        H.near(at(net, m), f(m), 1e-9)   -- the other steps' tails: s(-1000 / (2N)) each
      end
    end
    H.near(U.inverse_sigmoid(s(0.3)), 0.3, 1e-14)
    assert.matches("strictly between 0 and 1", H.err(U.approximate, function() return 1.2 end, 4))
  end)

  it("stays within the error bound away from the steps", function()
    -- |f - net| <= L / (2N) + (sum |h_j| / 2) s(-w delta) at distance >= delta
    -- from every step, with L = 0.8 + 0.3 + 4.5 + 2.5 >= |f'| on [0, 1]
    local f, w, delta, L = U.book_function, 1000, 0.005, 8.1
    for _, n in ipairs { 5, 10, 20, 50 } do
      local net, heights = U.approximate(f, n, { w = w })
      local sum = 0
      for _, h in ipairs(heights) do sum = sum + math.abs(h) end
      local tail = sum / 2 * s(-w * delta)
      local xs = {}
      for i = 0, 400 do
        local x = i / 400
        local nearest = math.abs(x * n - math.floor(x * n + 0.5)) / n
        if nearest >= delta or x == 0 or x == 1 then xs[#xs + 1] = { x } end
      end
      local out = net:feedforward(lunet.tensor(xs, "float64")):totable()
      for i, x in ipairs(xs) do
        local j = math.min(n, math.floor(x[1] * n) + 1)
        local mid = f((j - 0.5) / n)
        local err = math.abs(out[i][1] - f(x[1]))
        assert.is_true(err <= L / (2 * n) + tail, ("N = %d, x = %g: %g"):format(n, x[1], err))
        assert.is_true(math.abs(out[i][1] - mid) <= tail + 1e-15, ("N = %d, x = %g: not flat"):format(n, x[1]))
      end
    end
  end)

  it("measures the average deviation as plain Lua does, and it falls as N grows", function()
    local f, last = U.book_function, math.huge
    for _, n in ipairs { 5, 10, 20, 50 } do
      local net, heights, edges = U.approximate(f, n)
      local avg, largest = U.deviation(net, f, { points = 200 })
      local sum, top = 0, 0
      for i = 1, 200 do
        local x, z = (i - 0.5) / 200, 0
        for j = 1, n do z = z + heights[j] * (s(1000 * (x - edges[j])) - s(1000 * (x - edges[j + 1]))) end
        local d = math.abs(s(z) - f(x))
        sum, top = sum + d, math.max(top, d)
      end
      H.near(avg, sum / 200, 1e-10)
      H.near(largest, top, 1e-10)
      assert.is_true(avg < last)
      last = avg
    end
  end)

  it("fits f by SGD from a seed: repeatable, and better after more epochs", function()
    local f = U.book_function
    local short = U.sgd_fit(f, { hidden = 5, points = 100, epochs = 2 })
    local long, history = U.sgd_fit(f, { hidden = 5, points = 100, epochs = 60 })
    local again = U.sgd_fit(f, { hidden = 5, points = 100, epochs = 60 })
    assert.is_table(history)
    H.near(again.weights[1], long.weights[1], 0)
    assert.is_true(U.deviation(long, f) < U.deviation(short, f))
  end)
end)

describe("universality: two inputs", function()
  it("the x-bump plus the y-bump is 2h inside, h on the cross, 0 outside", function()
    local net = U.plateau(0.3, 0.7, 0.2, 0.6, 0.5)
    H.near(at(net, 0.5, 0.4), 1.0, 1e-12)
    H.near(at(net, 0.5, 0.9), 0.5, 1e-12)
    H.near(at(net, 0.1, 0.4), 0.5, 1e-12)
    assert.is_true(math.abs(at(net, 0.1, 0.9)) < 1e-12)
  end)

  it("the threshold neuron makes a tower, as the formula gives", function()
    local w, t = 200, 20
    local net = U.tower(0.3, 0.7, 0.2, 0.6, 0.9, { w = w, t = t })
    local function formula(x, y)
      local bx = s(w * (x - 0.3)) - s(w * (x - 0.7))
      local by = s(w * (y - 0.2)) - s(w * (y - 0.6))
      return 0.9 * s(t * (bx + by) - 1.5 * t)
    end
    for _, p in ipairs { { 0.5, 0.4 }, { 0.5, 0.9 }, { 0.1, 0.4 }, { 0.1, 0.9 }, { 0.31, 0.21 }, { 0.7, 0.6 } } do
      H.near(at(net, p[1], p[2]), formula(p[1], p[2]), 1e-13)
    end
    H.near(at(net, 0.5, 0.4), 0.9, 1e-4)   -- 0.9 s(t/2) = 0.9 (1 - 4.5e-5)
    assert.is_true(at(net, 0.5, 0.9) < 1e-4)
  end)

  it("several towers add up, and the surface has y going up", function()
    local net = U.towers({ { 0, 0.5, 0.5, 1, 0.7 }, { 0.5, 1, 0, 0.5, 0.3 } })
    assert.are.same({ 2, 8, 2, 1 }, net.sizes)
    H.near(at(net, 0.25, 0.75), 0.7, 1e-12)
    H.near(at(net, 0.75, 0.25), 0.3, 1e-12)
    local rows = U.surface(net, 4)
    H.near(rows[1][1], 0.7, 1e-12)    -- top left: x small, y large
    H.near(rows[4][4], 0.3, 1e-12)    -- bottom right
    assert.is_true(rows[1][4] < 1e-12 and rows[4][1] < 1e-12)
    assert.matches("tower 1 needs x1 < x2", H.err(U.towers, { { 0.5, 0.1, 0, 1, 1 } }))
  end)
end)
