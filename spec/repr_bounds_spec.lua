-- lunet.repr's limits, each at its exact boundary: the 78-column line, the
-- 40 entries shown, the nesting depth of 3, the cut of a long entry, and a
-- list filling its lines as far as each line allows.
local repr = require "lunet.repr"

local function list(n, f)
  local t = {}
  for i = 1, n do t[i] = f and f(i) or i end
  return t
end

describe("repr.value limits", function()
  it("a table of exactly 78 characters stays on one line, 79 do not", function()
    local one = repr.value { ("a"):rep(74) }
    assert.are.equal('{"' .. ("a"):rep(74) .. '"}', one)
    assert.are.equal(78, #one)
    local two = repr.value { ("a"):rep(75) }
    assert.are.equal('{\n  "' .. ("a"):rep(71) .. ' ...\n}', two)
  end)

  it("an entry line of 76 characters is whole, of 77 is cut to 72 and ' ...'", function()
    local whole = repr.value { ("a"):rep(73), "b" }
    assert.are.equal('{\n  "' .. ("a"):rep(73) .. '",\n  "b"\n}', whole)
    local cut = repr.value { ("a"):rep(74), "b" }
    assert.are.equal('{\n  "' .. ("a"):rep(71) .. ' ...\n  "b"\n}', cut)
  end)

  it("a long list fills each line as far as 78 columns allow", function()
    local s = repr.value(list(30, function(i) return i * 1000 end))
    local lines = {}
    for l in s:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal("{", lines[1])
    assert.are.equal("}", lines[#lines])
    for i = 2, #lines - 1 do
      assert.is_true(#lines[i] <= 78, lines[i])
      if i < #lines - 1 then
        local nxt = lines[i + 1]:match("^  (%S+)")
        assert.is_true(#lines[i] + 1 + #nxt > 78, ("line %d could have taken %s"):format(i, nxt))
      end
    end
    local all = s:gsub("[\n{}]", " "):gsub("%s+", " ")
    assert.are.equal(" " .. table.concat(list(30, function(i) return i * 1000 end), ", ") .. " ", all)
  end)

  it("shows 40 entries, and cuts the 41st of a list or of keys", function()
    local s40 = repr.value(list(40)):gsub("\n%s*", " "):gsub("{ ", "{"):gsub(" }", "}")
    assert.are.equal("{" .. table.concat(list(40), ", ") .. "}", s40)
    local s41 = repr.value(list(41))
    assert.truthy(s41:find("40,\n  ... (41 entries)\n}", 1, true), s41)
    assert.is_nil(s41:find("41,", 1, true))
    local keys = {}
    for i = 1, 40 do keys[("k%02d"):format(i)] = i end
    local k40 = repr.value(keys)
    assert.truthy(k40:find("k40 = 40", 1, true))
    assert.is_nil(k40:find("...", 1, true))
    keys.k41 = 41
    local k41 = repr.value(keys)
    assert.truthy(k41:find("k40 = 40,\n  ...", 1, true), k41)
    assert.is_nil(k41:find("k41", 1, true))
  end)

  it("nests three tables deep, then prints {...} (or {} when empty)", function()
    assert.are.equal("{{{{...}}}}", repr.value { { { { 1 } } } })
    assert.are.equal("{{{{}}}}", repr.value { { { {} } } })
    assert.are.equal("{{{3}}}", repr.value { { { 3 } } })
  end)
end)
