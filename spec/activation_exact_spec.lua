-- Activation and softmax layers against their formulas, value by value
-- (the first and last of a row included), forward and backward, in float64
-- and float32: 1/(1+e^-x), tanh, max(x, 0) with relu(-0) = +0, the identity,
-- the step, and softmax with its Jacobian.
local lunet = require "lunet"
local nn = require "lunet.nn"
local H = require "spec.helpers"

local X = { -3, -0.5, -0.0, 0.0, 0.25, 2, 40 }

local function sigmoid(x) return 1 / (1 + math.exp(-x)) end
local function tanh(x)
  local e = math.exp(-2 * math.abs(x))
  local t = (1 - e) / (1 + e)
  return x < 0 and -t or t
end
local FORMULAS = {
  Sigmoid = { sigmoid, function(y) return y * (1 - y) end },
  Tanh = { tanh, function(y) return 1 - y * y end },
  ReLU = { function(x) return x > 0 and x or 0 end, function(y) return y > 0 and 1 or 0 end },
  Identity = { function(x) return x end, function() return 1 end },
}

local function layer_of(name, dtype)
  local m = nn.Sequential({ nn[name]() }, { input = { #X }, dtype = dtype })
  return m
end

describe("activation layers, value by value", function()
  for _, dtype in ipairs { "float64", "float32" } do
    local tol = dtype == "float64" and 1e-15 or 1e-6
    for name, f in pairs(FORMULAS) do
      it(name .. " forward and backward (" .. dtype .. ")", function()
        local m = layer_of(name, dtype)
        local x = lunet.tensor({ X }, dtype)
        local y = m:forward(x)
        local dy = lunet.tensor({ { 1, -2, 3, -4, 5, -6, 7 } }, dtype)
        m:zero_grad()
        local dx = m:backward(x, dy)
        for i, v in ipairs(X) do
          local want = f[1](v)
          H.near(y[1][i], want, tol * math.max(1, math.abs(want)), name .. " y " .. i)
          H.near(dx[1][i], dy[1][i] * f[2](y[1][i]), tol * 8, name .. " dx " .. i)
        end
      end)
    end
  end

  it("ReLU gives +0 for -0 and 0 and passes no gradient there", function()
    local m = layer_of("ReLU", "float64")
    local x = lunet.tensor({ X }, "float64")
    local y = m:forward(x)
    assert.are.equal(math.huge, 1 / y[1][3])
    assert.are.equal(math.huge, 1 / y[1][4])
    local dx = m:backward(x, lunet.ones(1, #X, "float64"))
    assert.are.same({ 0, 0, 0, 0, 1, 1, 1 }, dx:totable()[1])
  end)

  it("Step is 1 above 0 and 0 at or below it", function()
    local m = nn.Sequential({ nn.Step() }, { input = { 5 }, dtype = "float64" })
    local y = m:forward(lunet.tensor({ { -1, 0, 1e-300, 5, -0.0 } }, "float64")):totable()[1]
    assert.are.same({ 0, 0, 1, 1, 0 }, y)
  end)
end)

describe("softmax layer, value by value", function()
  for _, dtype in ipairs { "float64", "float32" } do
    it("forward is exp(x - max) / sum, finite for large inputs, and backward y (dy - <dy, y>) (" .. dtype .. ")",
      function()
        local rows = { { 1000, 1001, 1002 }, { 3, -1, 0.5 }, { 0.5, 0.5, 7 } }
        local m = nn.Sequential({ nn.Softmax() }, { input = { 3 }, dtype = dtype })
        local x = lunet.tensor(rows, dtype)
        local y = m:forward(x)
        local dy = lunet.tensor({ { 1, 0, -1 }, { 0.5, 2, -3 }, { 1, 1, 4 } }, dtype)
        m:zero_grad()
        local dx = m:backward(x, dy):totable()
        local tol = dtype == "float64" and 1e-14 or 1e-6
        for r, row in ipairs(rows) do
          local top = math.max(table.unpack(row))
          local e, sum = {}, 0
          for j, v in ipairs(row) do e[j] = math.exp(v - top); sum = sum + e[j] end
          local dot = 0
          for j = 1, 3 do dot = dot + dy[r][j] * e[j] / sum end
          for j = 1, 3 do
            H.near(y[r][j], e[j] / sum, tol, ("row %d y %d"):format(r, j))
            H.near(dx[r][j], e[j] / sum * (dy[r][j] - dot), tol * 4, ("row %d dx %d"):format(r, j))
          end
        end
      end)
  end
end)
