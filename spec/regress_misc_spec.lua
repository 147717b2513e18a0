-- Edge values where a boundary is easy to get wrong: network3's report of a
-- best validation accuracy of exactly 0, and the elements a summarised
-- printout shows.
local lunet = require "lunet"
local n3 = lunet.network3

local function sink()
  local parts = {}
  return { write = function(self, ...) for _, s in ipairs { ... } do parts[#parts + 1] = s end return self end,
    flush = function() end, text = function() return table.concat(parts) end }
end

describe("network3 (regression)", function()
  it("a best validation accuracy of exactly 0 is still reported and returned", function()
    lunet.seed(91)
    -- a zero-initialised softmax layer trained towards class 0; validation is all class 1
    local net = n3.Network({ n3.SoftmaxLayer { n_in = 3, n_out = 2 } }, 4)
    local train = { x = lunet.rand(8, 3), y = lunet.zeros(8) }
    local valid = { x = lunet.rand(6, 3), y = lunet.ones(6) }
    local out = sink()
    local best, test, h = net:SGD(train, 2, 4, 0.1, valid, valid, 0, { out = out })
    assert.are.equal(0, best)
    assert.are.equal(0, test)
    assert.are.same({ 0, 0 }, h.evaluation_accuracy)
    -- as in the book, a tie with the best so far counts as the new best (>=)
    assert.matches("Best validation accuracy of 0.00%% obtained at epoch 1\n", out:text())
    assert.matches("Corresponding test accuracy of 0.00%%", out:text())
  end)
end)

describe("summarised printing (regression)", function()
  -- The lines for rows/columns shown: the first and last three, "..." between.
  local function expected(rows, cols, width)
    local function shown(n)
      return { 1, 2, 3, false, n - 2, n - 1, n }
    end
    local lines = {}
    for _, r in ipairs(shown(rows)) do
      local cells = {}
      for _, c in ipairs(shown(cols)) do
        cells[#cells + 1] = ("%" .. width .. "s"):format((r and c) and tostring((r - 1) * cols + c - 1) or "...")
      end
      lines[#lines + 1] = table.concat(cells)
    end
    return lines
  end

  it("keeps three elements at each end of every dimension", function()
    local s = tostring(lunet.arange(2000, "float64"):view(40, 50))
    local want = expected(40, 50, 5)
    want[#want + 1] = "[Tensor float64 40x50]"
    assert.are.equal(table.concat(want, "\n"), s)
    assert.are.equal("    0    1    2  ... 1997 1998 1999\n[Tensor float64 2000]",
      tostring(lunet.arange(2000, "float64")))
    -- 1000 elements are printed whole, 1001 are summarised
    assert.is_nil(tostring(lunet.arange(1000, "float64")):find("...", 1, true))
    assert.truthy(tostring(lunet.arange(1001, "float64")):find("...", 1, true))
  end)

  it("summarises slices of a 3-d tensor the same way", function()
    local s = tostring(lunet.arange(24000, "float64"):view(20, 30, 40))
    local heads = {}
    for h in s:gmatch("%((%d+),%.,%.%) =") do heads[#heads + 1] = tonumber(h) end
    assert.are.same({ 1, 2, 3, 18, 19, 20 }, heads)
    -- the first row of slice 18 starts at element 17 * 1200
    assert.truthy(s:find("(18,.,.) =\n 20400 20401 20402   ... 20437 20438 20439", 1, true))
  end)
end)
