-- lunet.json (the book's network2.py files): every escape, number form and
-- literal decoded exactly, each malformed part refused with its message,
-- line and byte, and the nesting limit at exactly 512.
local json = require "lunet.json"

local function refused(text, want)
  local ok, msg = pcall(json.decode, text)
  assert.is_false(ok, text)
  assert.are.equal("json: " .. want, msg)
end

describe("json.decode", function()
  it("decodes every escape", function()
    assert.are.equal('"\\/\b\f\n\r\t', json.decode('"\\"\\\\\\/\\b\\f\\n\\r\\t"'))
    assert.are.equal("Aé€", json.decode('"\\u0041\\u00e9\\u20AC"'))
    assert.are.equal("", json.decode('""'))
    assert.are.equal("a b", json.decode(' \t\r\n"a b" \n'))
  end)

  it("decodes numbers in each form", function()
    local cases = { ["0"] = 0, ["-0"] = 0, ["7"] = 7, ["-12"] = -12, ["1.5"] = 1.5, ["-0.25"] = -0.25,
      ["1e2"] = 100, ["1E2"] = 100, ["2.5e-3"] = 0.0025, ["4e+1"] = 40, ["1e308"] = 1e308 }
    for text, v in pairs(cases) do assert.are.equal(v, json.decode(text), text) end
    assert.are.equal(-math.huge, 1 / json.decode("-0.0"))
  end)

  it("decodes literals, arrays and objects", function()
    assert.is_true(json.decode("true"))
    assert.is_false(json.decode("false"))
    assert.is_nil(json.decode("null"))
    assert.are.same({}, json.decode("[ ]"))
    assert.are.same({}, json.decode("{ }"))
    assert.are.same({ 1, { 2, 3 }, { a = { b = "c" } } }, json.decode('[1, [2,3], {"a": {"b": "c"}}]'))
    assert.are.same({ x = 1, y = false }, json.decode('{"x":1,"y":false}'))
  end)

  it("refuses each malformed part with its line and byte", function()
    refused('"abc', "unterminated string at line 1 (byte 1)")
    refused('"a\\x"', "bad escape at line 1 (byte 3)")
    refused('"\\u12"', "bad \\u escape at line 1 (byte 2)")
    refused("-", "bad number at line 1 (byte 1)")
    refused("[1 2]", "expected ',' or ']' at line 1 (byte 4)")
    refused("[1,\n2\n3]", "expected ',' or ']' at line 3 (byte 7)")
    refused('{"a" 1}', "expected ':' at line 1 (byte 6)")
    refused('{"a": 1 "b": 2}', "expected ',' or '}' at line 1 (byte 9)")
    refused("{1: 2}", "expected a key at line 1 (byte 2)")
    refused("[1] 2", "trailing characters at line 1 (byte 5)")
    refused("", "unexpected end at line 1 (byte 1)")
    refused("[1,", "unexpected end at line 1 (byte 4)")
    refused("tru", "unexpected 't' at line 1 (byte 1)")
    refused("nul", "unexpected 'n' at line 1 (byte 1)")
  end)

  it("takes 512 levels of nesting and refuses 513", function()
    assert.are.equal(1, #json.decode(("["):rep(512) .. "1" .. ("]"):rep(512)))
    refused(("["):rep(513) .. "1" .. ("]"):rep(513), "nesting deeper than 512 levels at line 1 (byte 513)")
    assert.is_table(json.decode(('{"a":'):rep(512) .. "1" .. ("}"):rep(512)))
  end)
end)
