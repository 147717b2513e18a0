-- A bar chart's turned category labels are cut to 24 characters (23 and
-- "…"), counting UTF-8 characters, not bytes; 24 characters stay whole.
local plot = require "lunet.plot"

describe("bar chart labels", function()
  it("are shortened to 24 characters, by characters", function()
    local s = plot.bar { series = { { values = { 1, 2, 3 } } },
      labels = { ("é"):rep(40), ("a"):rep(24), ("b"):rep(25) }, width = 300, height = 200 }
    local got = {}
    for l in s:gmatch("<text[^>]*xtick[^>]*>([^<]*)</text>") do got[#got + 1] = l end
    assert.are.same({ ("é"):rep(23) .. "…", ("a"):rep(24), ("b"):rep(23) .. "…" }, got)
  end)
end)
