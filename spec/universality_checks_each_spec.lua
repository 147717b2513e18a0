-- lunet.universality's checks, each condition alone: finite numbers (NaN,
-- +inf, -inf, a string one at a time), positive weights, non-empty lists,
-- ordered bump edges and tower sides (x and y each), and the counts of
-- curve, surface, deviation and approximate at their least and most.
local H = require "spec.helpers"
local U = require "lunet.universality"

local refused = H.refused

describe("universality checks, each condition alone", function()
  it("numbers must be finite, each non-finite kind refused alone", function()
    for _, v in ipairs { 0 / 0, math.huge, -math.huge, "1" } do
      refused("must be a finite number", U.step, v)
      refused("must be a finite number", U.bump, 0.2, 0.4, v)
      refused("must be a finite number", U.steps, { 0.5, v }, { 1, 1 })
    end
    refused("must be a non-empty list of numbers", U.steps, {}, {})
    refused("must be a non-empty list of numbers", U.steps, 0.5, { 1 })
    assert.is_not_nil(U.step(0.5))
  end)

  it("bumps need increasing edges, one more than heights", function()
    refused("universality.bump: s1 must be less than s2", U.bump, 0.4, 0.4, 1)
    refused("universality.bump: s1 must be less than s2", U.bump, 0.5, 0.4, 1)
    refused("edges needs one entry more than heights", U.bumps, { 0, 0.5, 1 }, { 1 })
    refused("edges must increase", U.bumps, { 0, 0.5, 0.5 }, { 1, 2 })
    refused("edges must increase", U.bumps, { 0.6, 0.5, 1 }, { 1, 2 })
    assert.is_not_nil(U.bumps({ 0, 0.5, 1 }, { 1, 2 }))
  end)

  it("towers need five finite values with x1 < x2 and y1 < y2, each alone", function()
    refused("towers must be a non-empty list", U.towers, {})
    refused("tower 1 must be {x1, x2, y1, y2, height}", U.towers, { { 0, 1, 0, 1 } })
    refused("tower 1 needs x1 < x2 and y1 < y2", U.towers, { { 0.5, 0.5, 0, 1, 1 } })
    refused("tower 1 needs x1 < x2 and y1 < y2", U.towers, { { 0, 1, 0.5, 0.5, 1 } })
    refused("tower 2 needs x1 < x2 and y1 < y2", U.towers, { { 0, 1, 0, 1, 1 }, { 0, 1, 0.7, 0.2, 1 } })
    refused("tower 1's value 5 must be a finite number", U.towers, { { 0, 1, 0, 1, 0 / 0 } })
    assert.is_not_nil(U.towers { { 0.2, 0.4, 0.6, 0.8, 1 } })
  end)

  it("counts are checked at their least and most", function()
    local net = U.step(0.5)
    refused("universality.curve: n must be an integer in 2..1000000", U.curve, net, 1)
    refused("universality.curve: n must be an integer in 2..1000000", U.curve, net, 2.5)
    assert.are.equal(2, #U.curve(net, 2))
    local tower = U.tower(0.2, 0.4, 0.6, 0.8, 1)
    refused("universality.surface: n must be an integer in 1..1000", U.surface, tower, 0)
    refused("universality.surface: n must be an integer in 1..1000", U.surface, tower, 1001)
    refused("universality.surface: n must be an integer in 1..1000", U.surface, tower, 1.5)
    assert.are.equal(1, #U.surface(tower, 1))
    refused("points must be a positive integer", U.deviation, net, math.sin, { points = 0 })
    refused("points must be a positive integer", U.deviation, net, math.sin, { points = 1.5 })
    refused("f must be a function of a number", U.deviation, net, 3)
    local mean, largest = U.deviation(net, function() return 0 end, { points = 1 })
    H.near(mean, largest, 0, "one point: the mean is the largest")
    refused("N must be a positive integer", U.approximate, function() return 0.5 end, 0)
    refused("N must be a positive integer", U.approximate, function() return 0.5 end, 1.5)
    refused("f must be a function of a number", U.approximate, 0.5, 2)
    assert.is_not_nil(U.approximate(function() return 0.5 end, 1))
  end)

  it("a step needs a non-zero weight, and inverse_sigmoid a y strictly inside (0, 1)", function()
    refused("w must not be 0", U.step_position, 0, 1)
    H.near(U.step_position(10, -3), 0.3, 1e-15)
    for _, y in ipairs { 0, 1, -0.5, 1.5, 0 / 0 } do
      refused("y must lie strictly between 0 and 1", U.inverse_sigmoid, y)
    end
    H.near(U.inverse_sigmoid(U.sigmoid(0.7)), 0.7, 1e-12)
  end)
end)
