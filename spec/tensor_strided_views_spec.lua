-- Element-wise operations on 3-d views whose outer dimensions merge but
-- whose last one is cut (a narrow of the last dimension): every element
-- compared with a plain Lua loop over the base tensor, for a scalar op, a
-- binary op between two such views, an in-place op and a copy into one.
local lunet = require "lunet"

local function base()
  return lunet.arange(0, 96, 1, "float64"):view(2, 3, 16)
end

-- the value of base()[i][j][k] (1-based)
local function at(i, j, k) return (i - 1) * 48 + (j - 1) * 16 + (k - 1) end

local function each(f)
  for i = 1, 2 do for j = 1, 3 do for k = 1, 4 do f(i, j, k) end end end
end

describe("element-wise operations on narrowed 3-d views", function()
  it("a scalar op and a binary op between two views", function()
    local b = base()
    local x, y = b:narrow(3, 2, 4), b:narrow(3, 9, 4)
    local twice, sum = (x * 2):totable(), (x + y):totable()
    each(function(i, j, k)
      assert.are.equal(2 * at(i, j, k + 1), twice[i][j][k])
      assert.are.equal(at(i, j, k + 1) + at(i, j, k + 8), sum[i][j][k])
    end)
  end)

  it("an in-place op and a copy into a view leave the rest of the base alone", function()
    local b = base()
    b:narrow(3, 2, 4):add_(b:narrow(3, 9, 4))
    local c = base()
    c:narrow(3, 13, 4):copy(lunet.zeros(2, 3, 4, "float64"):add(-1))
    local bt, ct = b:totable(), c:totable()
    for i = 1, 2 do
      for j = 1, 3 do
        for k = 1, 16 do
          local want = (k >= 2 and k <= 5) and at(i, j, k) + at(i, j, k + 7) or at(i, j, k)
          assert.are.equal(want, bt[i][j][k], ("add_ %d %d %d"):format(i, j, k))
          assert.are.equal(k >= 13 and -1 or at(i, j, k), ct[i][j][k], ("copy %d %d %d"):format(i, j, k))
        end
      end
    end
  end)
end)
