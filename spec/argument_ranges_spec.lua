-- Range checks of the tensor API, each bound on its own: one past either
-- end is refused with its message and the bound itself is accepted, so a
-- check of the form `v < lo || v > hi` is pinned on both sides (and a
-- several-condition check fires for each condition alone).
local lunet = require "lunet"
local H = require "spec.helpers"

local refused = H.refused

describe("tensor argument ranges, each bound alone", function()
  local t = lunet.tensor({ { 1, 2, 3 }, { 4, 5, 6 } }, "float64")

  it("size(d) takes 1..ndim", function()
    refused("dimension 0 out of range 1..2", t.size, t, 0)
    refused("dimension 3 out of range 1..2", t.size, t, 3)
    assert.are.same({ 2, 3 }, { t:size(1), t:size(2) })
  end)

  it("narrow takes a dimension 1..ndim and a start 1..size + 1", function()
    refused("dimension 0 out of range 1..2", t.narrow, t, 0, 1, 1)
    refused("dimension 3 out of range 1..2", t.narrow, t, 3, 1, 1)
    assert.is_string(H.err(t.narrow, t, 2, 0, 1))
    assert.is_string(H.err(t.narrow, t, 2, 5, 0))
    assert.are.same({ 2, 0 }, t:narrow(2, 4, 0):shape())
    assert.are.same({ { 3 }, { 6 } }, t:narrow(2, 3, 1):totable())
    assert.are.same({ { 4, 5, 6 } }, t:narrow(1, 2, 1):totable())
    assert.is_string(H.err(t.narrow, t, 2, 3, 2))
  end)

  it("select takes a dimension 1..ndim and an index 1..size", function()
    refused("dimension 0 out of range 1..2", t.select, t, 0, 1)
    refused("dimension 3 out of range 1..2", t.select, t, 3, 1)
    assert.is_string(H.err(t.select, t, 2, 0))
    assert.is_string(H.err(t.select, t, 2, 4))
    assert.is_string(H.err(t.select, t, 1, 3))
    assert.are.same({ 3, 6 }, t:select(2, 3):totable())
    assert.are.same({ 4, 5, 6 }, t:select(1, 2):totable())
  end)

  it("indexing takes 1..size in each dimension", function()
    assert.is_string(H.err(function() return t[0] end))
    assert.is_string(H.err(function() return t[3] end))
    assert.is_string(H.err(function() return t[{ 1, 0 }] end))
    assert.is_string(H.err(function() return t[{ 1, 4 }] end))
    assert.is_string(H.err(function() return t[{ 3, 1 }] end))
    assert.are.equal(6, t[2][3])
    assert.are.equal(6, t[{ 2, 3 }])
  end)

  it("permute takes each dimension 1..ndim once", function()
    assert.is_string(H.err(t.permute, t, 0, 1))
    assert.is_string(H.err(t.permute, t, 2, 3))
    assert.is_string(H.err(t.permute, t, 1, 1))
    assert.are.same({ { 1, 4 }, { 2, 5 }, { 3, 6 } }, t:permute(2, 1):totable())
  end)

  it("arange refuses a zero step and each non-finite bound alone", function()
    refused("arange", lunet.arange, 0, 3, 0)
    for _, a in ipairs { { 0, 3, 0 / 0 }, { 0, 3, math.huge }, { -math.huge, 3, 1 }, { 0, math.huge, 1 },
      { 0 / 0, 3, 1 }, { 0, 0 / 0, 1 } } do
      assert.is_string(H.err(lunet.arange, a[1], a[2], a[3]), table.concat(H.map(a, tostring), ", "))
    end
    assert.are.same({ 0, 1, 2 }, lunet.arange(0, 3, 1, "float64"):totable())
  end)

  it("linspace refuses each non-finite end alone", function()
    refused("start and stop must be finite", lunet.linspace, math.huge, 1, 3)
    refused("start and stop must be finite", lunet.linspace, 0, -math.huge, 3)
    refused("start and stop must be finite", lunet.linspace, 0 / 0, 1, 3)
    refused("start and stop must be finite", lunet.linspace, 0, 0 / 0, 3)
    assert.are.same({ 0, 0.5, 1 }, lunet.linspace(0, 1, 3, "float64"):totable())
  end)

  it("mv, dot and outer check the rank of each operand alone", function()
    local m, v = lunet.ones(2, 2), lunet.ones(2)
    refused("mv takes a matrix and a vector", lunet.mv, v, v)
    refused("mv takes a matrix and a vector", lunet.mv, m, m)
    refused("dot takes two vectors", lunet.dot, m, v)
    refused("dot takes two vectors", lunet.dot, v, m)
    refused("outer takes two vectors", lunet.outer, m, v)
    refused("outer takes two vectors", lunet.outer, v, m)
    refused("outer: dtype mismatch", lunet.outer, v, lunet.ones(2, "float64"))
    assert.are.same({ 2, 2 }, lunet.mv(m, v):totable())
    assert.are.equal(2, lunet.dot(v, v))
    assert.are.same({ { 1, 1 }, { 1, 1 } }, lunet.outer(v, v):totable())
  end)

  it("norm takes a positive finite p", function()
    local x = lunet.tensor({ 3, -4 }, "float64")
    for _, p in ipairs { 0, -1, math.huge, 0 / 0 } do
      refused("p must be a positive finite number", x.norm, x, p)
    end
    assert.are.equal(5, x:norm(2))
    assert.are.equal(7, x:norm(1))
    H.near(x:norm(0.5), (math.sqrt(3) + 2) ^ 2, 1e-12)
  end)
end)
