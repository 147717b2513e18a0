-- How a tensor prints, at each limit of lunet/print.lua exactly: the
-- magnitudes that switch to %.4e (1e5 and above, below 1e-4), whole numbers
-- up to 1e9, summaries above 1000 elements keeping 3 at each end of a
-- dimension longer than 6, and columns split to fit 80 characters.
local lunet = require "lunet"

local function shows(want, values)
  assert.are.equal(want .. "\n[Tensor float64 " .. #values .. "]", tostring(lunet.tensor(values, "float64")))
end

local function line_count(s) return select(2, s:gsub("\n", "")) + 1 end

describe("tensor printing limits", function()
  it("switches to %.4e at magnitudes of 1e5 and above and below 1e-4", function()
    shows(" 99999.0000     1.5000", { 99999, 1.5 })
    shows(" 1.0000e+05 1.5000e+00", { 100000, 1.5 })
    shows(" 0.0001 1.5000", { 0.0001, 1.5 })
    shows(" 9.0000e-05 1.5000e+00", { 0.00009, 1.5 })
    shows(" 0.0000 1.5000", { 0, 1.5 })
  end)

  it("prints whole numbers as integers below 1e9", function()
    shows(" 999999999         1", { 999999999, 1 })
    shows(" 1.0000e+09 1.0000e+00", { 1e9, 1 })
    shows(" -999999999          1", { -999999999, 1 })
  end)

  it("summarises above 1000 elements, keeping 3 at each end of a dimension longer than 6", function()
    local s1000 = tostring(lunet.arange(1, 1001, 1, "float64"))
    assert.is_nil(s1000:find("...", 1, true))
    assert.truthy(s1000:find(" 999 1000\n", 1, true))
    assert.are.equal("    1    2    3  ...  999 1000 1001\n[Tensor float64 1001]",
      tostring(lunet.arange(1, 1002, 1, "float64")))
    -- 6 rows stay whole, 7 are cut to 3 + "..." + 3; 200 columns are cut either way
    local six = tostring(lunet.zeros(6, 200, "float64"))
    assert.are.equal(7, line_count(six))
    assert.truthy(six:find("^ 0 0 0 %.%.%. 0 0 0\n"))
    local seven = tostring(lunet.zeros(7, 200, "float64"))
    assert.are.equal(8, line_count(seven))
    assert.truthy(seven:find("\n ... ... ... ... ... ... ...\n", 1, true))
  end)

  it("splits columns into chunks that fit 80 characters", function()
    assert.are.equal(" " .. ("0 "):rep(38) .. "0\n[Tensor float64 1x39]", tostring(lunet.zeros(1, 39, "float64")))
    assert.are.equal("Columns 1 to 39\n " .. ("0 "):rep(38) .. "0\n\nColumns 40 to 40\n 0\n[Tensor float64 1x40]",
      tostring(lunet.zeros(1, 40, "float64")))
  end)

  it("prints the 2-d slices of a 3-d tensor under their leading index", function()
    assert.are.equal("(1,.,.) =\n 0 0\n 0 0\n\n(2,.,.) =\n 0 0\n 0 0\n\n[Tensor float64 2x2x2]",
      tostring(lunet.zeros(2, 2, 2, "float64")))
  end)

  it("keeps a summarised row of %.4e values on one line: the \"...\" column is then 3 wide", function()
    -- a gradient of lunet.optim.objective, printed: it came out as "Columns 1 to 1999", five values,
    -- then "Columns 2000 to 2000" and the last
    local t = lunet.full(1e-5, 2000, "float64")
    t[1], t[2000] = -2e-5, 3e-5
    local row = " -2.0000e-05  1.0000e-05  1.0000e-05 ...  1.0000e-05  1.0000e-05  3.0000e-05"
    assert.are.equal(row .. "\n[Tensor float64 2000]", tostring(t))
    local m = lunet.full(-125000.5, 10, 200, "float64")
    local s = tostring(m)
    assert.is_nil(s:find("Columns", 1, true))
    assert.truthy(s:find("\n -1.2500e+05 -1.2500e+05 -1.2500e+05 ... -1.2500e+05 -1.2500e+05 -1.2500e+05\n", 1, true))
    assert.truthy(s:find("\n         ...         ...         ... ...         ...         ...         ...\n", 1, true))
    for line in s:gmatch("[^\n]+") do assert.is_true(#line <= 80, line) end
  end)
end)
