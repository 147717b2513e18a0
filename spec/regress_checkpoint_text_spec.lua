-- lunet.checkpoint's text form (the trainer's state inside a checkpoint
-- file) as a property: random nested tables of every kind of value and key
-- come back bit for bit, the text is canonical (encode(decode(t)) == t),
-- and each malformed line is refused by number.
local checkpoint = require "lunet.checkpoint"

local function bits(v) return string.pack("<d", v) end

-- Deep equality; numbers by bits and by subtype (integer or float).
local function same(a, b, path)
  path = path or "root"
  assert(type(a) == type(b), ("%s: %s vs %s"):format(path, type(a), type(b)))
  if type(a) == "table" then
    for k, v in pairs(a) do same(v, b[k], path .. "." .. tostring(k)) end
    for k in pairs(b) do assert(a[k] ~= nil, path .. "." .. tostring(k) .. " appeared") end
  elseif type(a) == "number" then
    assert(math.type(a) == math.type(b), path .. ": " .. math.type(a) .. " vs " .. tostring(math.type(b)))
    if math.type(a) == "float" then
      assert(bits(a) == bits(b) or (a ~= a and b ~= b), ("%s: %a vs %a"):format(path, a, b))
    else
      assert(a == b, path)
    end
  else
    assert(a == b, ("%s: %q vs %q"):format(path, tostring(a), tostring(b)))
  end
end

local SPECIAL = { 0.0, -0.0, 1 / 0, -1 / 0, 0 / 0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308,
  0.1, -1 / 3, 2 ^ 53 + 0.0, math.pi }
local INTS = { 0, 1, -1, math.maxinteger, math.mininteger, 2 ^ 53 | 0, 42 }
local STRINGS = { "", "plain", "a\nb", "back\\slash", "\\n", "trailing\\", "line\n\n", "tab\tand space ",
  "t:", "s:x", "root.a 1", "\0bytes\255" }

local function random_value(rng, depth)
  local r = rng(6)
  if r == 1 and depth < 4 then
    local t, n = {}, rng(0, 4)
    for i = 1, n do t[i] = random_value(rng, depth + 1) end                 -- a list
    for _ = 1, rng(0, 3) do
      local key = ({ "a", "b_2", "_x", "Zed", "epoch" })[rng(5)]
      t[key] = random_value(rng, depth + 1)
    end
    if rng(4) == 1 then t[0] = random_value(rng, depth + 1) end           -- key 0
    if rng(4) == 1 then t[1000 + rng(5)] = random_value(rng, depth + 1) end -- a gap
    return t
  elseif r == 2 then
    return SPECIAL[rng(#SPECIAL)]
  elseif r == 3 then
    return INTS[rng(#INTS)]
  elseif r == 4 then
    return STRINGS[rng(#STRINGS)]
  elseif r == 5 then
    return rng(2) == 1
  end
  return (rng() - 0.5) * 10 ^ rng(-300, 300)
end

describe("checkpoint text (regression)", function()
  it("round-trips random nested tables bit for bit, canonically", function()
    math.randomseed(7)
    local rng = math.random
    for _ = 1, 300 do
      local v = random_value(rng, 0)
      local root = type(v) == "table" and v or { value = v }
      local text = checkpoint.encode(root)
      local back = checkpoint.decode(text)
      same(root, back)
      assert.are.equal(text, checkpoint.encode(back))
    end
  end)

  it("writes tables before their contents, keys in order, integers before names", function()
    local text = checkpoint.encode { b = 1, a = { [2] = true, [0] = "z", [1] = -0.0 }, [3] = {}, [1] = 0.5 }
    assert.are.equal(table.concat({
      "root t:", "root.1 n:0x1p-1", "root.3 t:", "root.a t:", "root.a.0 s:z", "root.a.1 n:-0x0p+0",
      "root.a.2 b:true", "root.b i:1", "" }, "\n"), text)
  end)

  it("refuses what cannot be written back", function()
    for _, bad in ipairs { { [-1] = 1 }, { [1.5] = 1 }, { ["a b"] = 1 }, { ["1x"] = 1 }, { f = print },
      { [true] = 1 } } do
      assert.is_false(pcall(checkpoint.encode, bad))
    end
    local t = {}
    t.self = t
    local ok, err = pcall(checkpoint.encode, { a = t })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("refers back to a table that contains it", 1, true), err)
    -- a table met twice side by side is not a cycle
    local shared = { 1 }
    same({ x = { 1 }, y = { 1 } }, checkpoint.decode(checkpoint.encode { x = shared, y = shared }))
  end)

  it("names the line of each malformed value", function()
    local cases = {
      { "root t:\nroot.a i:1.5\n", "line 2: bad value" },
      { "root t:\nroot.a i:\n", "line 2: bad value" },
      { "root t:\nroot.a n:0x1p\n", "line 2: bad value" },
      { "root t:\nroot.a n:1.5\n", "line 2: bad value" },
      { "root t:\nroot.a b:yes\n", "line 2: bad value" },
      { "root t:\nroot.a s:bad\\escape\n", "line 2: bad value" },
      { "root t:\nroot.a t:x\n", "line 2: bad value" },
      { "root t:\nroot.a x:1\n", "line 2: bad value" },
      { "root t:\nnoseparator\n", "line 2 is not 'path value'" },
      { "root t:\nother.a i:1\n", "line 2: path must start at root" },
      { "root i:1\n", "line 1: root must be one table" },
      { "root t:\nroot t:\n", "line 2: root must be one table" },
      { "root t:\nroot.a.b i:1\n", "line 2: root.a.b has no parent table" },
      { "root t:\nroot.a i:1\nroot.a.b i:2\n", "line 3: root.a.b has no parent table" },
      { "root t:", "does not end with a line break" },
      { "", "no data" },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(checkpoint.decode, c[1])
      assert.is_false(ok, c[1])
      assert.truthy(tostring(err):find(c[2], 1, true), ("%q: %s"):format(c[1], tostring(err)))
    end
    -- the edges of what is valid
    same({ a = -7, b = "", c = 0 / 0, d = -1 / 0 },
      checkpoint.decode("root t:\nroot.a i:-7\nroot.b s:\nroot.c n:nan\nroot.d n:-inf\n"))
  end)
end)
