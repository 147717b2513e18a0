-- The plot functions' checks, each condition alone and each bound on both
-- sides: width and height separately at their least and most, non-finite
-- numbers one kind at a time, image scales at their ends, shapes part by part.
local plot = require "lunet.plot"
local H = require "spec.helpers"

local refused = H.refused

local Y = { y = { 1, 2, 3 } }

-- a chart's own width and height (its viewBox; a wide one is shown scaled down)
local function box(doc)
  local w, h = doc:match('viewBox="0 0 ([%d.]+) ([%d.]+)"')
  return { tonumber(w), tonumber(h) }
end

local function line(extra)
  local o = { series = { Y } }
  for k, v in pairs(extra) do o[k] = v end
  return plot.line(o)
end

describe("plot checks, each condition alone", function()
  it("an SVG chart's width and height are each bounded below and above", function()
    refused("width x height must be at least 200 x 150", line, { width = 199 })
    refused("width x height must be at least 200 x 150", line, { height = 149 })
    refused("width x height must be at most 20000 x 20000", line, { width = 20001 })
    refused("width x height must be at most 20000 x 20000", line, { height = 20001 })
    assert.are.same({ 200, 150 }, box(line { width = 200, height = 150 }))
    assert.are.same({ 20000, 150 }, box(line { width = 20000, height = 150 }))
    assert.are.same({ 200, 20000 }, box(line { width = 200, height = 20000 }))
  end)

  it("a text chart's width and height are each bounded below and above", function()
    local function text(extra)
      local o = { series = { Y } }
      for k, v in pairs(extra) do o[k] = v end
      return plot.text(o)
    end
    refused("width x height must be at least 4 x 2", text, { width = 3 })
    refused("width x height must be at least 4 x 2", text, { height = 1 })
    refused("width x height must be at most 1000 x 1000", text, { width = 1001 })
    refused("width x height must be at most 1000 x 1000", text, { height = 1001 })
    assert.is_string(text { width = 4, height = 2 })
  end)

  it("a number option refuses each non-finite value and a string, one at a time", function()
    for _, v in ipairs { 0 / 0, math.huge, -math.huge, "3" } do
      refused("ymin must be a finite number", line, { ymin = v })
      refused("width must be a finite number", line, { width = v })
    end
    refused("width must be at least 1", line, { width = 0 })
    refused("width must be a whole number", line, { width = 300.5 })
  end)

  it("marks need a finite x, each non-finite kind refused alone", function()
    for _, v in ipairs { 0 / 0, math.huge, -math.huge, "1" } do
      refused("marks[1].x must be a finite number", line, { marks = { { x = v } } })
    end
    assert.is_string(line { marks = { { x = 2, label = "best" } } })
  end)

  it("image scales lie in (0, 1000]", function()
    local img = { { { 0, 1 } } }
    for _, s in ipairs { 0, -1, 1000.5 } do
      refused("scale must be in (0, 1000]", plot.images, { images = img, scale = s })
    end
    -- scale 1000 is taken, then fitted to the 1000 px limit: (1000 - 2 * 12) / 2 px a pixel
    assert.are.same({ 1000, 2 * 12 + 488 }, box(plot.images { images = img, scale = 1000 }))
    assert.are.same({ 2 * 12 + 1, 2 * 12 + 0.5 }, box(plot.images { images = img, scale = 0.5 }))
  end)

  it("a flat image shape needs a table of two whole numbers, each part alone", function()
    local flat = { { 0, 1, 2, 3, 4, 5 } }
    for _, shape in ipairs { 6, { 2.5, 3 }, { 2, "3" }, { 2 } } do
      refused("shape must be {rows, cols} with whole numbers", plot.images, { images = flat, shape = shape })
    end
    assert.is_string(plot.images { images = flat, shape = { 2, 3 }, scale = 1 })
  end)

  it("values of magnitude 1e-300 to 1e300 are drawn, just beyond either end refused", function()
    for _, ys in ipairs { { 1e300, 5e299 }, { -1e300, -5e299 }, { 1e-300, 2e-300 }, { -1e-300, -2e-300 } } do
      assert.is_string(plot.line { series = { { y = ys } } }, tostring(ys[1]))
    end
    assert.is_string(plot.line { series = { { y = { 0, 1 } } } })
    for _, v in ipairs { 1.0000001e300, -1.0000001e300, 0.99e-300, -0.99e-300 } do
      refused("cannot be drawn (non-zero values must be 1e-300 to 1e300 in magnitude", plot.line,
        { series = { { y = { 1, v } } } })
    end
  end)
end)
