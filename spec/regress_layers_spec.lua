-- Layers with parameters add to their gradients across backward calls
-- (dense, convolution, batch normalisation after either), checked against
-- gradients written out in plain Lua where that is short; and the
-- expansion's rotations turn both ways.
local lunet = require "lunet"
local H = require "spec.helpers"
local nn = lunet.nn

local function grads(model)
  local out = {}
  for _, p in ipairs(model:parameters()) do out[#out + 1] = p.grad:totable() end
  return out
end

local function scaled(t, s)
  return H.map(t, function(v) return v * s end)
end

local function added(a, b)
  local out = {}
  for i = 1, #a do out[i] = H.map2(a[i], b[i], function(x, y) return x + y end) end
  return out
end

-- g(dy1) + g(dy1) + g(dy2) after three backward calls, each g taken alone
-- after zero_grad; the input gradient is the same every time.
local function check_accumulates(model, x, dy1, dy2)
  model:zero_grad()
  model:forward(x)
  local dx1 = model:backward(x, dy1):totable()
  local g1 = grads(model)
  model:zero_grad()
  model:forward(x)
  model:backward(x, dy2)
  local g2 = grads(model)
  model:zero_grad()
  for _, dy in ipairs { dy1, dy1, dy2 } do
    model:forward(x)
    local dx = model:backward(x, dy)
    if dy == dy1 then H.near(dx, dx1, 1e-12, "dx") end
  end
  local want = added(scaled(g1, 2), g2)
  local got = grads(model)
  assert.are.equal(#want, #got)
  for i = 1, #want do H.near(got[i], want[i], 1e-11, "parameter " .. i) end
  for i = 1, #g1 do assert(H.maxdiff(g1[i], scaled(g1[i], 0)) > 0, "parameter " .. i .. " has no gradient") end
  model:zero_grad()
  for _, g in ipairs(grads(model)) do assert.are.equal(0, H.maxdiff(g, scaled(g, 0))) end
end

describe("gradients add up across backward calls (regression)", function()
  it("Linear, with dW = dy^T x and db = column sums of dy by hand", function()
    lunet.seed(81)
    local l = nn.Linear(3, 2, { init = "large" })
    local model = nn.Sequential({ l }, { dtype = "float64" })
    local x = lunet.randn(4, 3, "float64")
    local dy1, dy2 = lunet.randn(4, 2, "float64"), lunet.randn(4, 2, "float64")
    check_accumulates(model, x, dy1, dy2)
    model:zero_grad()
    model:forward(x)
    model:backward(x, dy1)
    model:forward(x)
    model:backward(x, dy2)
    local xs, d1, d2 = x:totable(), dy1:totable(), dy2:totable()
    local dw, db = {}, {}
    for j = 1, 2 do
      dw[j] = {}
      db[j] = 0
      for i = 1, 4 do db[j] = db[j] + d1[i][j] + d2[i][j] end
      for k = 1, 3 do
        local s = 0
        for i = 1, 4 do s = s + (d1[i][j] + d2[i][j]) * xs[i][k] end
        dw[j][k] = s
      end
    end
    local ps = model:parameters()
    H.near(ps[1].grad, dw, 1e-12)
    H.near(ps[2].grad, db, 1e-12)
  end)

  it("Conv2d with stride and padding", function()
    lunet.seed(82)
    local model = nn.Sequential({ nn.Conv2d(2, 3, 3, { stride = 2, pad = 1 }) },
      { input = { 2, 5, 5 }, dtype = "float64" })
    local x = lunet.randn(3, 2, 5, 5, "float64")
    check_accumulates(model, x, lunet.randn(3, 3, 3, 3, "float64"), lunet.randn(3, 3, 3, 3, "float64"))
  end)

  it("Conv2d bias gradient by hand: the sum of dy over the batch and the map", function()
    lunet.seed(83)
    local model = nn.Sequential({ nn.Conv2d(1, 2, 2) }, { input = { 1, 3, 3 }, dtype = "float64" })
    local x = lunet.randn(2, 1, 3, 3, "float64")
    local dy = lunet.randn(2, 2, 2, 2, "float64")
    model:zero_grad()
    model:forward(x)
    model:backward(x, dy)
    local d, xs = dy:totable(), x:totable()
    local db, dw = { 0, 0 }, {}
    for m = 1, 2 do
      dw[m] = { { { 0, 0 }, { 0, 0 } } }
      for b = 1, 2 do
        for r = 1, 2 do
          for c = 1, 2 do
            db[m] = db[m] + d[b][m][r][c]
            for kr = 1, 2 do
              for kc = 1, 2 do
                dw[m][1][kr][kc] = dw[m][1][kr][kc] + d[b][m][r][c] * xs[b][1][r + kr - 1][c + kc - 1]
              end
            end
          end
        end
      end
    end
    local ps = model:parameters()
    H.near(ps[1].grad, dw, 1e-12)
    H.near(ps[2].grad, db, 1e-12)
  end)

  it("BatchNorm after a Linear and after a Conv2d, in training mode", function()
    lunet.seed(84)
    local a = nn.Sequential({ nn.Linear(3, 4), nn.BatchNorm({ eps = 0.1 }) }, { dtype = "float64" })
    a:training()
    check_accumulates(a, lunet.randn(5, 3, "float64"), lunet.randn(5, 4, "float64"), lunet.randn(5, 4, "float64"))
    local b = nn.Sequential({ nn.Conv2d(1, 2, 2), nn.BatchNorm() }, { input = { 1, 4, 4 }, dtype = "float64" })
    b:training()
    check_accumulates(b, lunet.randn(3, 1, 4, 4, "float64"), lunet.randn(3, 2, 3, 3, "float64"),
      lunet.randn(3, 2, 3, 3, "float64"))
  end)

  it("BatchNorm's gamma and beta gradients by hand", function()
    lunet.seed(85)
    local model = nn.Sequential({ nn.BatchNorm({ eps = 0.5 }) }, { input = { 2 }, dtype = "float64" })
    model:training()
    local x = lunet.randn(4, 2, "float64")
    local dy = lunet.randn(4, 2, "float64")
    model:zero_grad()
    model:forward(x)
    model:backward(x, dy)
    local xs, d = x:totable(), dy:totable()
    local dgamma, dbeta = {}, {}
    for k = 1, 2 do
      local mean, var = 0, 0
      for i = 1, 4 do mean = mean + xs[i][k] / 4 end
      for i = 1, 4 do var = var + (xs[i][k] - mean) ^ 2 / 4 end
      dgamma[k], dbeta[k] = 0, 0
      for i = 1, 4 do
        dgamma[k] = dgamma[k] + d[i][k] * (xs[i][k] - mean) / math.sqrt(var + 0.5)
        dbeta[k] = dbeta[k] + d[i][k]
      end
    end
    local ps = model:parameters()
    H.near(ps[1].grad, dgamma, 1e-12)
    H.near(ps[2].grad, dbeta, 1e-12)
  end)
end)

describe("expansion rotations (regression)", function()
  -- The bilinear rotation about the centre, counter-clockwise by deg, in plain Lua.
  local function rotate(img, h, w, deg)
    local t = deg * math.pi / 180
    local cs, sn = math.cos(t), math.sin(t)
    local cy, cx = (h - 1) / 2, (w - 1) / 2
    local function px(r, c)
      if r < 0 or r >= h or c < 0 or c >= w then return 0 end
      return img[r * w + c + 1]
    end
    local out = {}
    for r = 0, h - 1 do
      for c = 0, w - 1 do
        local y, x = r - cy, c - cx
        local sy, sx = cs * y - sn * x + cy, sn * y + cs * x + cx
        local r0, c0 = math.floor(sy), math.floor(sx)
        local fy, fx = sy - r0, sx - c0
        out[r * w + c + 1] = (1 - fy) * ((1 - fx) * px(r0, c0) + fx * px(r0, c0 + 1)) +
          fy * ((1 - fx) * px(r0 + 1, c0) + fx * px(r0 + 1, c0 + 1))
      end
    end
    return out
  end

  local function err(img, h, w, deg, got)
    local r = rotate(img, h, w, deg)
    local e = 0
    for i = 1, #r do e = math.max(e, math.abs(r[i] - got[i])) end
    return e
  end

  -- The angle in [-lim, lim] whose rotation is closest to got: a scan, then
  -- golden-section search around the best.
  local function fit(img, h, w, got, lim)
    local best, be = 0, math.huge
    for d = -lim - 1, lim + 1, 0.05 do
      local e = err(img, h, w, d, got)
      if e < be then best, be = d, e end
    end
    local lo, hi = best - 0.05, best + 0.05
    local g = (math.sqrt(5) - 1) / 2
    for _ = 1, 80 do
      local a, b = hi - g * (hi - lo), lo + g * (hi - lo)
      if err(img, h, w, a, got) < err(img, h, w, b, got) then hi = b else lo = a end
    end
    local d = (lo + hi) / 2
    return d, err(img, h, w, d, got)
  end

  it("turn each image by its own angle in [-max, max], both ways, as a plain bilinear rotation", function()
    local h, w, n = 7, 7, 24
    local rows = {}
    for i = 1, n do
      rows[i] = {}
      for p = 1, h * w do rows[i][p] = ((p * 13 + i * 7) % 17) / 16 end
    end
    local set = { x = lunet.tensor(rows, "float64"), y = lunet.zeros(n), n = n }
    lunet.seed(9)
    local big = lunet.data.expand(set, { shifts = false, rotations = 2, max_degrees = 12 })
    assert.are.equal(3 * n, big.n)
    local pos = {}
    for i = 1, 3 * n do pos[i] = i end
    local s = lunet.data.sample(big, pos):totable()
    local pos_angles, neg_angles, angles = 0, 0, {}
    for k = 1, 3 * n do
      local i = (k - 1) % n + 1
      if k <= n then
        assert.are.same(rows[i], s[k])   -- the first copy is the image itself
      else
        local d, e = fit(rows[i], h, w, s[k], 12)
        assert(e < 1e-9, ("sample %d: no rotation matches (best %.4f degrees, error %.3g)"):format(k, d, e))
        assert(math.abs(d) <= 12 + 1e-9, ("sample %d turned by %.4f degrees"):format(k, d))
        if d > 0.5 then pos_angles = pos_angles + 1 elseif d < -0.5 then neg_angles = neg_angles + 1 end
        angles[k] = d
      end
    end
    assert(pos_angles >= 8 and neg_angles >= 8, ("%d turned one way, %d the other"):format(pos_angles, neg_angles))
    -- the two rotation sets turn an image by different angles
    local differ = 0
    for i = 1, n do
      if math.abs(angles[n + i] - angles[2 * n + i]) > 1e-6 then differ = differ + 1 end
    end
    assert(differ >= n - 1)
  end)

  it("float32 images through a float32 network see the same rotations", function()
    local rows = {}
    for p = 1, 25 do rows[p] = (p % 5) / 4 end
    local set32 = { x = lunet.tensor({ rows }), y = lunet.zeros(1), n = 1 }
    local set64 = { x = lunet.tensor({ rows }, "float64"), y = lunet.zeros(1), n = 1 }
    lunet.seed(3)
    local a = lunet.data.sample(lunet.data.expand(set32, { shifts = false, rotations = 1 }), { 2 })
    lunet.seed(3)
    local b = lunet.data.sample(lunet.data.expand(set64, { shifts = false, rotations = 1 }), { 2 })
    H.near(a, b, 1e-6)
    local d, e = fit(rows, 5, 5, H.flat(b:totable()), 10)
    assert(e < 1e-9 and math.abs(d) <= 10, ("angle %.4f error %.3g"):format(d, e))
  end)
end)

describe("convolution geometry against plain Lua (regression)", function()
  -- y[m][oy][ox] = b[m] + sum w[m][c][ky][kx] x[c][oy s + ky - pad][ox s + kx - pad] (0 outside),
  -- dx and dW the matching sums for a given dy.
  local function plain(x, w, b, dy, stride, pad)
    local C, H_, W_ = #x, #x[1], #x[1][1]
    local M, K = #w, #w[1][1]
    local ho, wo = (H_ + 2 * pad - K) // stride + 1, (W_ + 2 * pad - K) // stride + 1
    local y, dx, dw = {}, {}, {}
    for c = 1, C do
      dx[c] = {}
      for i = 1, H_ do dx[c][i] = {} for j = 1, W_ do dx[c][i][j] = 0 end end
    end
    for m = 1, M do
      y[m], dw[m] = {}, {}
      for c = 1, C do
        dw[m][c] = {}
        for ky = 1, K do dw[m][c][ky] = {} for kx = 1, K do dw[m][c][ky][kx] = 0 end end
      end
      for oy = 1, ho do
        y[m][oy] = {}
        for ox = 1, wo do
          local s = b[m]
          for c = 1, C do
            for ky = 1, K do
              for kx = 1, K do
                local iy, ix = (oy - 1) * stride + ky - pad, (ox - 1) * stride + kx - pad
                if iy >= 1 and iy <= H_ and ix >= 1 and ix <= W_ then
                  s = s + w[m][c][ky][kx] * x[c][iy][ix]
                  dx[c][iy][ix] = dx[c][iy][ix] + w[m][c][ky][kx] * dy[m][oy][ox]
                  dw[m][c][ky][kx] = dw[m][c][ky][kx] + dy[m][oy][ox] * x[c][iy][ix]
                end
              end
            end
          end
          y[m][oy][ox] = s
        end
      end
    end
    return y, dx, dw
  end

  it("kernels larger than the image, wide padding and strides that do not divide", function()
    lunet.seed(86)
    for _, g in ipairs { { 2, 2, 5, 2, 1 }, { 3, 2, 5, 3, 1 }, { 5, 4, 3, 2, 2 }, { 7, 5, 3, 1, 3 }, { 4, 3, 4, 3, 2 },
      { 6, 6, 2, 0, 3 }, { 2, 2, 5, 2, 2 }, { 1, 1, 3, 1, 2 }, { 3, 1, 3, 1, 2 } } do
      local h, w, k, pad, stride = g[1], g[2], g[3], g[4], g[5]
      local model = nn.Sequential({ nn.Conv2d(2, 2, k, { stride = stride, pad = pad, init = "large" }) },
        { input = { 2, h, w }, dtype = "float64" })
      local x = lunet.randn(1, 2, h, w, "float64")
      local y = model:forward(x)
      local dy = lunet.randn(y:shape(), "float64")
      model:zero_grad()
      local dx = model:backward(x, dy)
      local ps = model:parameters()
      local ey, edx, edw = plain(x:totable()[1], ps[1].value:totable(), ps[2].value:totable(), dy:totable()[1],
        stride, pad)
      local what = ("%dx%d k %d pad %d stride %d"):format(h, w, k, pad, stride)
      H.near(y[1], ey, 1e-12, what .. " forward")
      H.near(dx[1], edx, 1e-12, what .. " dx")
      H.near(ps[1].grad, edw, 1e-12, what .. " dW")
    end
  end)
end)

describe("max pooling ties (regression)", function()
  it("send the gradient to the first largest value of each window, in reading order", function()
    for _, k in ipairs { 2, 3 } do
      local model = nn.Sequential({ nn.MaxPool(k) }, { input = { 1, k, 2 * k }, dtype = "float64" })
      -- window 1: ties in the last row only; window 2: every value equal
      local img = {}
      for r = 1, k do
        img[r] = {}
        for c = 1, 2 * k do img[r][c] = c > k and 1 or (r == k and 1 or 0) end
      end
      local x = lunet.tensor({ { img } }, "float64")
      H.near(model:forward(x), { { { { 1, 1 } } } }, 0)
      local dx = model:backward(x, lunet.tensor({ { { { 5, 7 } } } }, "float64")):totable()[1][1]
      for r = 1, k do
        for c = 1, 2 * k do
          local want = (r == k and c == 1) and 5 or (r == 1 and c == k + 1) and 7 or 0
          assert.are.equal(want, dx[r][c], ("%dx%d window, row %d column %d"):format(k, k, r, c))
        end
      end
    end
  end)
end)
