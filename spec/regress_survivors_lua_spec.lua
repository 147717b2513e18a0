-- Behaviour that mutation testing (tools/mutants.lua) found unchecked in
-- lua/lunet/: the colour-bar label of a heatmap's maximum, the segment a
-- colour map interpolates in, the period of conjugate-gradient restarts and
-- network3's closing line.
local lunet = require "lunet"
local plot = require "lunet.plot"
local minimize = require("lunet.minimize").minimize

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
end)
