-- Mutants of the Lua sources that outlived the specs (second seed): the
-- colour of a terminal series' end symbol and the room kept under turned
-- bar labels, and Newton's error when no damping makes the Hessian
-- positive definite, and Network's check for at least two layer sizes.
local core = require "lunet.core"
local plot = require "lunet.plot"
local minimize = require("lunet.minimize").minimize
local Network = require "lunet.network"

-- y of the x axis line of a bar chart: the plot's bottom edge.
local function axis_bottom(svg_text)
  local y
  for y1, y2 in svg_text:gmatch('<line x1="[%d.]+" y1="([%d.]+)" x2="[%d.]+" y2="([%d.]+)" stroke="#444444"/>') do
    if y1 == y2 then y = tonumber(y1) end
  end
  return y
end

describe("Lua survivors (regression, seed 2)", function()
  it("a terminal series' end symbol takes the series' own colour, so no escape sits before it", function()
    local s = plot.text { series = { { name = "a", y = { 1, 2 } } }, color = true, width = 10, height = 3 }
    local top = s:match("^[^\n]*")
    -- Series 1 is blue (34); the symbol continues the blue run of its line.
    assert.truthy(top:find("\27[34m⢀⡠⠔*\27[0m", 1, true), top)
    local codes = {}
    for code in top:gmatch("\27%[(%d+)m") do codes[#codes + 1] = tonumber(code) end
    assert.are.same({ 34, 0 }, codes)
  end)

  it("turned bar labels longer than 24 characters keep the room of 24 characters under the plot", function()
    local function chart(n)
      return plot.bar { labels = { ("x"):rep(n), ("x"):rep(n) }, values = { 1, 2 }, width = 320, height = 200 }
    end
    local at24 = axis_bottom(chart(24))
    assert.is_number(at24)
    -- Labels are cut to 24 characters, so 30 and 40 need no more room than 24.
    assert.are.equal(at24, axis_bottom(chart(30)))
    assert.are.equal(at24, axis_bottom(chart(40)))
    -- The labels really are turned (a short label leaves the plot lower).
    assert.is_true(axis_bottom(chart(2)) > at24)
    assert.truthy(chart(30):find(">" .. ("x"):rep(23) .. "…</text>", 1, true))
  end)

  it("newton stops with an error when no damping makes the Hessian positive definite", function()
    -- H = M [[-1, 1], [1, -1]] is finite but has the eigenvalue -2M, beyond
    -- the largest double: the damping mu reaches M (H + mu I singular), then
    -- overflows to inf (0 * inf puts NaN off the diagonal), so every
    -- Cholesky fails.
    local M = 1.5e308
    local function f(x)
      local v = x:totable()
      return v[1] ^ 2 + v[2] ^ 2, core.tensor({ 2 * v[1], 2 * v[2] }, "float64")
    end
    local ok, err = pcall(minimize, f, { 1, 1 }, { method = "newton",
      hess = function() return core.tensor({ { -M, M }, { M, -M } }, "float64") end })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("damping could not make the Hessian positive definite", 1, true), err)
  end)

  it("Network with fewer than two layer sizes says so", function()
    for _, sizes in ipairs({ { 5 }, {} }) do
      local ok, err = pcall(Network, sizes)
      assert.is_false(ok)
      assert.truthy(tostring(err):find("Network takes a list of at least two layer sizes", 1, true), err)
    end
  end)
end)
