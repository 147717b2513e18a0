local lunet = require "lunet"

describe("printing", function()
  it("prints an aligned %.4f grid with a footer", function()
    local t = lunet.tensor({ { 1.5, -2.25, 3 }, { 0.125, 10, -0.5 } })
    assert.are.equal(table.concat({
      "  1.5000 -2.2500  3.0000",
      "  0.1250 10.0000 -0.5000",
      "[Tensor float32 2x3]",
    }, "\n"), tostring(t))
  end)

  it("prints integers without decimals and vectors as one row", function()
    assert.are.equal(" 0 1 2 3\n[Tensor float64 4]", tostring(lunet.arange(4, "float64")))
  end)

  it("switches to scientific notation when magnitudes call for it", function()
    local t = lunet.tensor({ 1.5e6, -2e-7 }, "float64")
    assert.are.equal("  1.5000e+06 -2.0000e-07\n[Tensor float64 2]", tostring(t))
  end)

  it("shows NaN and infinities", function()
    local t = lunet.tensor({ 0 / 0, math.huge, -math.huge, 1 }, "float64")
    assert.matches("nan", tostring(t))
    assert.matches(" inf", tostring(t))
    assert.matches("%-inf", tostring(t))
  end)

  it("summarises large tensors with ... and stays short", function()
    local s = tostring(lunet.zeros(1000, 1000))
    assert.matches("%.%.%.", s)
    assert.matches("%[Tensor float32 1000x1000%]$", s)
    local lines = 0
    for _ in s:gmatch("\n") do lines = lines + 1 end
    assert.is_true(lines <= 10, "printed " .. lines .. " lines")
    assert.is_true(#s < 1000)
  end)

  it("prints 3-d tensors slice by slice", function()
    local s = tostring(lunet.arange(8, "float64"):view(2, 2, 2))
    assert.are.equal(table.concat({
      "(1,.,.) =", " 0 1", " 2 3", "",
      "(2,.,.) =", " 4 5", " 6 7", "",
      "[Tensor float64 2x2x2]",
    }, "\n"), s)
  end)

  it("splits wide rows into column chunks", function()
    local s = tostring(lunet.ones(2, 30):mul(0.5))
    assert.matches("Columns 1 to %d+", s)
    for line in s:gmatch("[^\n]+") do assert.is_true(#line <= 80, line) end
  end)

  it("prints empty and 0-d tensors", function()
    assert.are.equal("[Tensor float32 0]", tostring(lunet.zeros(0)))
    assert.are.equal(" 2.5000\n[Tensor float32 scalar]", tostring(lunet.full(2.5, {})))
  end)
end)
