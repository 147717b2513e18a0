-- lunet.data.take and data.filter: each check alone with its bounds on both
-- sides, and the exact samples they return (the last sample reachable, a
-- take cut short by the end of the set, classes kept in order and relabelled).
local lunet = require "lunet"
local H = require "spec.helpers"
local data = lunet.data

local refused = H.refused

local function set()
  return { x = lunet.tensor({ { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 }, { 5, 5 } }, "float64"),
    y = lunet.tensor({ 0, 1, 2, 1, 0 }, "float64") }
end

describe("data.take and data.filter, each check alone", function()
  it("take needs n >= 1 and from in 1..size", function()
    local s = set()
    refused("data.take: n must be a positive integer", data.take, s, 0)
    refused("data.take: n must be a positive integer", data.take, s, 1.5)
    refused("data.take: from must be an integer 1..5", data.take, s, 1, 0)
    refused("data.take: from must be an integer 1..5", data.take, s, 1, 6)
    refused("data.take: from must be an integer 1..5", data.take, s, 1, 2.5)
    local last = data.take(s, 1, 5)
    assert.are.same({ { 5, 5 } }, last.x:totable())
    assert.are.same({ 0 }, last.y:totable())
    local cut = data.take(s, 10, 4)
    assert.are.equal(2, cut.n)
    assert.are.same({ { 4, 4 }, { 5, 5 } }, cut.x:totable())
    local first = data.take(s, 2)
    assert.are.same({ 0, 1 }, first.y:totable())
    assert.are.equal(2, first.n)
  end)

  it("filter needs a non-empty list of numbers and a vector of labels", function()
    local s = set()
    refused("data.filter: classes must be a list of class numbers", data.filter, s, {})
    refused("data.filter: classes must be a list of class numbers", data.filter, s, 1)
    refused("data.filter: class 2 is not a number", data.filter, s, { 1, "2" })
    refused("data.filter: the set must hold labels (a vector y)", data.filter,
      { x = s.x, y = lunet.zeros(5, 2, "float64") }, { 0 })
    local f = data.filter(s, { 1, 0 })
    assert.are.same({ { 1, 1 }, { 2, 2 }, { 4, 4 }, { 5, 5 } }, f.x:totable())
    assert.are.same({ 0, 1, 1, 0 }, f.y:totable())
    assert.are.equal(4, f.n)
    local r = data.filter(s, { 1, 2 }, { relabel = true })
    assert.are.same({ 0, 1, 0 }, r.y:totable())
    assert.are.same({ { 2, 2 }, { 3, 3 }, { 4, 4 } }, r.x:totable())
  end)
end)
