-- Behaviour that mutation testing (tools/mutants.lua) found unchecked in
-- lua/lunet/: the colour-bar label of a heatmap's maximum, the segment a
-- colour map interpolates in, the room for turned bar labels, the period of
-- conjugate-gradient restarts, L-BFGS's direction, the closed ends of
-- minimize's option ranges, the line search's bisection away from an
-- infinite cost, network3's batch size and closing line, lunet.is_tensor
-- numeric plot titles, a heatmap's column labels and the thinning of log
-- axis labels.
local lunet = require "lunet"
local plot = require "lunet.plot"
local minimize = require("lunet.minimize").minimize
local svg = require "lunet.plot.svg"

-- The attributes of every element named `tag` in an SVG string, as tables.
local function elements(s, tag)
  local out = {}
  for attrs in s:gmatch("<" .. tag .. "%s([^>]*)>") do
    local e = {}
    for k, v in attrs:gmatch('([%w%-]+)="([^"]*)"') do e[k] = v end
    out[#out + 1] = e
  end
  return out
end

-- The text elements with their content, as { attrs..., body = text }.
local function texts(s)
  local out = {}
  for attrs, body in s:gmatch("<text%s([^>]*)>([^<]*)</text>") do
    local e = { body = body }
    for k, v in attrs:gmatch('([%w%-]+)="([^"]*)"') do e[k] = v end
    out[#out + 1] = e
  end
  return out
end

describe("mutation survivors in lua/lunet (regression)", function()
  -- data 10, 14.5, 20 -> t = 0, 0.45, 1 on the viridis map
  local svgdoc = plot.heatmap { data = { { 10, 14.5, 20 } } }

  it("a heatmap's colour bar puts the maximum's label at the top and the minimum's at the bottom", function()
    -- the colour bar's frame: the unfilled rect 14 wide
    local frame
    for _, r in ipairs(elements(svgdoc, "rect")) do
      if r.width == "14" and r.fill == "none" then frame = r end
    end
    assert.truthy(frame, svgdoc)
    local top, h = tonumber(frame.y), tonumber(frame.height)
    local labels = {}
    for _, t in ipairs(texts(svgdoc)) do
      if t.class == "cbar" then labels[t.body] = tonumber(t.y) end
    end
    -- a label sits 4 units below the level it names (its baseline)
    assert.are.equal(top + 4, labels["20"])
    assert.are.equal(top + h + 4, labels["10"])
  end)

  it("a heatmap's colour bar runs from the map's first colour at the bottom to its last at the top", function()
    local bands = {}
    for _, r in ipairs(elements(svgdoc, "rect")) do
      if r.width == "14" and r.fill ~= "none" then bands[#bands + 1] = r end
    end
    assert.are.equal(64, #bands)
    table.sort(bands, function(a, b) return tonumber(a.y) < tonumber(b.y) end)
    assert.are.equal("#fde725", bands[1].fill)       -- viridis at t = 1
    assert.are.equal("#440154", bands[64].fill)      -- and at t = 0
  end)

  it("a colour map interpolates between the two stops around t (viridis at t = 114/254)", function()
    -- 14.5 is t = 0.45, quantised to level floor(0.45 * 254 + 0.5) = 114.
    -- Viridis has 5 stops, so t = 114/254 lies in the second segment,
    -- (59, 82, 139) -> (33, 145, 140), at u = 4 * 114/254 - 1 = 0.795276:
    -- 59 - 26u = 38.32 -> 38, 82 + 63u = 132.10 -> 132, 139 + u = 139.80 -> 140.
    local cells = {}
    for _, r in ipairs(elements(svgdoc, "rect")) do
      if r.height == "1" then cells[tonumber(r.x)] = r.fill end
    end
    assert.are.equal("#440154", cells[0])
    assert.are.equal(string.format("#%02x%02x%02x", 38, 132, 140), cells[1])
    assert.are.equal("#fde725", cells[2])
  end)

  it("cg restarts with the steepest descent every n iterations", function()
    -- Rosenbrock from (-1.2, 1), n = 2. Iteration 2 is already steepest
    -- descent (Polak-Ribiere+ clips beta to 0 there), so from then on the
    -- counter alternates: a conjugate step, then a restart after n = 2
    -- directions since the last one. A step is steepest descent when it is
    -- parallel to -g at its start.
    local function rosen(a, b)
      return (1 - a) ^ 2 + 100 * (b - a * a) ^ 2,
        { -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }
    end
    local _, h = minimize(function(x)
      local c, g = rosen(x[1], x[2])
      return c, lunet.tensor(g, "float64")
    end, { -1.2, 1 }, { method = "cg", path = true, max_iter = 8 })
    assert.are.equal(9, #h.path)
    local kinds = {}
    for k = 1, 8 do
      local p, q = h.path[k], h.path[k + 1]
      local _, g = rosen(p[1], p[2])
      local s1, s2 = q[1] - p[1], q[2] - p[2]
      -- sine of the angle between the step and -g
      local sine = (s1 * g[2] - s2 * g[1]) / (math.sqrt(s1 ^ 2 + s2 ^ 2) * math.sqrt(g[1] ^ 2 + g[2] ^ 2))
      if math.abs(sine) < 1e-9 then
        kinds[k] = "sd"
      elseif math.abs(sine) > 0.05 then
        kinds[k] = "cg"
      else
        kinds[k] = string.format("%.3g", sine)
      end
    end
    assert.are.same({ "sd", "sd", "cg", "sd", "cg", "sd", "cg", "sd" }, kinds)
  end)
  it("network3's closing line reports the best validation accuracy as a percentage", function()
    -- 2 inputs, class 1 when the first exceeds the second; 8 validation
    -- samples, so every accuracy is a multiple of 12.5%
    local function data(rows)
      local x, y = {}, {}
      for i, r in ipairs(rows) do x[i], y[i] = r, r[1] > r[2] and 1 or 0 end
      return { x = lunet.tensor(x), y = lunet.tensor(y) }
    end
    local training = data { { 1, 0 }, { 0, 1 }, { 0.9, 0.2 }, { 0.1, 0.8 }, { 0.7, 0.3 }, { 0.3, 0.6 } }
    local validation = data { { 0.8, 0.1 }, { 0.2, 0.9 }, { 0.6, 0.5 }, { 0.4, 0.45 }, { 0.9, 0.6 },
      { 0.5, 0.7 }, { 0.35, 0.3 }, { 0.1, 0.15 } }
    local n3 = lunet.network3
    local net = n3.Network({ n3.SoftmaxLayer { n_in = 2, n_out = 2 } }, 2)
    local lines = {}
    local out = { write = function(_, s) lines[#lines + 1] = s end, flush = function() end }
    local best = net:SGD(training, 3, 2, 0.5, validation, nil, 0, { out = out, progress = false })
    local text = table.concat(lines)
    assert.is_true(best > 0 and best * 8 == math.floor(best * 8), "best " .. best)
    -- the epoch lines print each validation accuracy; the closing line names the best one
    local percent, epoch = text:match("Best validation accuracy of ([%d.]+)%% obtained at epoch (%d+)\n")
    assert.truthy(percent, text)
    assert.are.equal(string.format("%.2f", best * 100), percent)
    assert.truthy(text:find(("Epoch %s: validation accuracy %s%%\nThis is the best"):format(epoch, percent), 1, true),
      text)
  end)
  it("network3's SGD without a batch size uses the network's own", function()
    local training = { x = lunet.tensor { { 1, 0 }, { 0, 1 }, { 0.9, 0.2 }, { 0.1, 0.8 }, { 0.7, 0.3 }, { 0.3, 0.6 } },
      y = lunet.tensor { 1, 0, 1, 0, 1, 0 } }
    local silent = { write = function() end, flush = function() end }
    local function trained(batch)
      local n3 = lunet.network3
      local net = n3.Network({ n3.SoftmaxLayer { n_in = 2, n_out = 2 } }, 3)
      lunet.seed(71)
      net:SGD(training, 2, batch, 0.5, nil, nil, 0, { out = silent, progress = false })
      return net:layers()[1].weight:totable()
    end
    local own = trained(nil)
    assert.are.same(trained(3), own)
    assert.are_not.same(trained(1), own)     -- the batch size matters here
  end)

  it("bar labels too wide for their bands are turned and the plot is raised by width * sin 35", function()
    -- 6 bands of (400 - 100) / 6 = 50; labels of 10 characters are
    -- 10 * 12 * 0.6 = 72 wide, more than 0.95 * 50, so they turn by 35
    -- degrees and need 72 sin 35 below the axis. Without a title or an
    -- x label the axis is then at 300 - 28 - 72 sin 35, and each label's
    -- anchor 15 below it.
    local labels = {}
    for i = 1, 6 do labels[i] = ("category%02d"):format(i) end
    local s = plot.bar { values = { 1, 2, 3, 4, 5, 6 }, labels = labels, width = 400, height = 300 }
    local drop = 72 * math.sin(math.rad(35))
    local n = 0
    for _, t in ipairs(texts(s)) do
      if t.class == "xtick" then
        n = n + 1
        assert.near(300 - 28 - drop + 15, tonumber(t.y), 0.006)
        assert.truthy(t.transform:match("^rotate%(%-35 "), t.transform)
      end
    end
    assert.are.equal(6, n)
  end)

  for _, h0 in ipairs { "sy/yy", "ss/sy" } do
    it("lbfgs's second direction is BFGS's from H0 = (" .. h0 .. ") I", function()
      -- With one stored pair, the two-loop recursion with gamma = s'y / y'y
      -- (or s's / s'y, the default) gives exactly the BFGS update of gamma I,
      -- H = (I - rho s y') gamma I (I - rho y s') + rho s s', worked out here
      -- from the first step.
      local function rosen(x)
        local a, b = x[1], x[2]
        return (1 - a) ^ 2 + 100 * (b - a * a) ^ 2,
          lunet.tensor({ -2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a) }, "float64")
      end
      local _, hl = minimize(rosen, { -1.2, 1 }, { method = "lbfgs", h0 = h0, path = true, max_iter = 2 })
      assert.are.equal(3, #hl.path)
      local x0, x1, x2 = hl.path[1], hl.path[2], hl.path[3]
      local g0 = select(2, rosen(lunet.tensor(x0, "float64"))):totable()
      local g1 = select(2, rosen(lunet.tensor(x1, "float64"))):totable()
      local s, y = { x1[1] - x0[1], x1[2] - x0[2] }, { g1[1] - g0[1], g1[2] - g0[2] }
      local sy, yy = s[1] * y[1] + s[2] * y[2], y[1] * y[1] + y[2] * y[2]
      local rho, gamma = 1 / sy, h0 == "sy/yy" and sy / yy or (s[1] * s[1] + s[2] * s[2]) / sy
      local Hm = {}
      for i = 1, 2 do
        Hm[i] = {}
        for j = 1, 2 do
          -- ((I - rho s y') (I - rho y s'))_ij gamma + rho s_i s_j
          local v = 0
          for k = 1, 2 do
            v = v + ((i == k and 1 or 0) - rho * s[i] * y[k]) * ((k == j and 1 or 0) - rho * y[k] * s[j])
          end
          Hm[i][j] = gamma * v + rho * s[i] * s[j]
        end
      end
      for i = 1, 2 do
        local want = -(Hm[i][1] * g1[1] + Hm[i][2] * g1[2])
        assert.near(want, (x2[i] - x1[i]) / hl.alpha[3], 1e-9 * math.max(1, math.abs(want)))
      end
      -- the second step is not along -g (so the pair did change the direction)
      local p, q = hl.path[2], hl.path[3]
      local _, g = rosen(p)
      local s1, s2 = q[1] - p[1], q[2] - p[2]
      local sine = (s1 * g[2] - s2 * g[1]) / (math.sqrt(s1 ^ 2 + s2 ^ 2) * g:norm())
      assert.is_true(math.abs(sine) > 1e-3, "sine " .. sine)   -- -0.007 here; 1e-16 without the pair
    end)
  end

  it("minimize accepts the closed upper ends of its ranges: mu = 1 and ftol = 1", function()
    -- momentum on f = x^2 / 2 with eta = 0.1, mu = 1 (no friction):
    -- v = v - 0.1 x, x = x + v from x = 1: 0.9, 0.71, 0.449
    local function half_square(x) return x[1] * x[1] / 2, lunet.tensor({ x[1] }, "float64") end
    local _, h = minimize(half_square, { 1 }, { method = "momentum", eta = 0.1, mu = 1, max_iter = 3, path = true })
    local want = { 1, 0.9, 0.71, 0.449 }
    for k = 1, 4 do assert.near(want[k], h.path[k][1], 1e-14) end
    -- ftol = 1: any first step changes the cost by at most max(|f|, |f'|, 1)
    _, h = minimize(half_square, { 1 }, { method = "gd", eta = 0.1, ftol = 1 })
    assert.are.equal("relative cost change below ftol", h.reason)
    assert.are.equal(1, h.iterations)
  end)

  it("lunet.is_tensor tells tensors from everything else", function()
    assert.is_true(lunet.is_tensor(lunet.zeros(2)))
    assert.is_true(lunet.is_tensor(lunet.tensor({ 1, 2 }):view(2, 1)))
    for _, v in ipairs { {}, "t", 1, true, setmetatable({}, {}) } do
      assert.is_false(lunet.is_tensor(v))
    end
    assert.is_false(lunet.is_tensor(nil))
  end)
  it("the line search halves the step when the trial point's cost is infinite", function()
    -- f = (x - 0.5)^2 below 0.8 and infinite from there, x0 = 0: the first
    -- trial step is min(1, 1.01 / |g|) = 1 (x = 1, infinite), so the zoom
    -- bisects [0, 1] and lands on x = 0.5, the minimum: 3 evaluations.
    local function f(x)
      local v = x[1]
      if v >= 0.8 then return math.huge, lunet.tensor({ 0 }, "float64") end
      return (v - 0.5) ^ 2, lunet.tensor({ 2 * (v - 0.5) }, "float64")
    end
    local _, h = minimize(f, { 0 }, { method = "bfgs", path = true, max_iter = 1 })
    assert.are.equal(0.5, h.path[2][1])
    assert.are.equal(0.5, h.alpha[2])
    assert.are.equal(3, h.nfev[2])
    assert.are.equal("gradient norm below gtol", h.reason)
  end)

  it("plot titles may be numbers (written as text) but not tables", function()
    local s = plot.bar { values = { 1, 2 }, title = 42 }
    local found = false
    for _, t in ipairs(texts(s)) do found = found or t.body == "42" and t["font-weight"] == "bold" end
    assert.is_true(found, s)
    local ok, err = pcall(plot.bar, { values = { 1, 2 }, title = {} })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("title must be a string, got table", 1, true), tostring(err))
  end)
  it("a heatmap's column labels sit 19 below the cells", function()
    -- the cells' frame is drawn half a unit outside them
    local frame
    for _, r in ipairs(elements(svgdoc, "rect")) do
      if r.fill == "none" and r.width ~= "14" then frame = r end
    end
    local bottom = tonumber(frame.y) + tonumber(frame.height) - 0.5
    local n = 0
    for _, t in ipairs(texts(svgdoc)) do
      if t.class == "xtick" then
        n = n + 1
        assert.are.equal(bottom + 19, tonumber(t.y))
      end
    end
    assert.are.equal(3, n)
  end)

  it("log-axis labels are thinned to whole steps of decades at least 28 px apart", function()
    local function labelled(len)
      local out = {}
      for _, t in ipairs(svg.log_axis(1, 1e10, len).ticks) do
        if t.label then out[#out + 1] = t.v end
      end
      return out
    end
    -- 10 decades over 140 px: 14 px a decade, so every second one is exactly 28 px apart
    assert.are.same({ 1, 1e2, 1e4, 1e6, 1e8, 1e10 }, labelled(140))
    -- one pixel less and two decades are closer than 28 px: every third
    assert.are.same({ 1, 1e3, 1e6, 1e9 }, labelled(139))
  end)
end)
