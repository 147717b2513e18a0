-- Limits checked at their exact edges: the last value a function takes and
-- the first one it refuses (mutants that move a bound by one survived
-- specs that only tried values far from it).
local lunet = require "lunet"
local H = require "spec.helpers"

describe("limits at their edges (regression)", function()
  it("expand takes 64 transforms in all and refuses the 65th", function()
    local data = { x = lunet.rand(3, 4), y = lunet.tensor { 0, 1, 2 } }
    -- the image and its 4 shifts leave room for 59 rotations
    local e = lunet.data.expand(data, { rotations = 59 })
    assert.are.equal(3 * 64, e.n)
    assert.are.equal(64, #e.expand.transforms)
    local msg = H.err(lunet.data.expand, data, { rotations = 60 })
    assert.truthy(msg:find("rotations must be an integer from 0 to 59", 1, true), msg)
    -- without shifts the image leaves room for 63
    assert.are.equal(3 * 64, lunet.data.expand(data, { shifts = false, rotations = 63 }).n)
    msg = H.err(lunet.data.expand, data, { shifts = false, rotations = 64 })
    assert.truthy(msg:find("rotations must be an integer from 0 to 63", 1, true), msg)
    -- the last rotation's samples can be drawn
    local s = lunet.data.sample(e, { 3 * 64, 1 })
    assert.are.same({ 2, 4 }, s:shape())
  end)
end)
