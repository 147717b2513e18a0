-- The README's "Training and scoring any model" snippet, run as written
-- except for the data: small slices of Fashion-MNIST (Debian's files)
-- instead of the whole sets, so the conv model trains in seconds.
local lunet = require "lunet"

local function snippet()
  local f = assert(io.open("README.md"))
  local text = f:read("a")
  f:close()
  local code = text:match("<!%-%- spec/readme_sequential_spec%.lua runs this snippet %-%->\n```lua\n(.-)```")
  assert(code, "the snippet is missing from README.md")
  return code
end

local function slice(set, first, n)
  return { x = set.x:narrow(1, first, n), y = set.y:narrow(1, first, n), n = n }
end

describe("the README's Sequential snippet", function()
  it("trains a conv model and scores it with accuracy, evaluate and predict", function()
    local code = snippet()
    assert.matches("model:accuracy%(test%)", code)
    local training, validation, test = lunet.data.fashion_mnist()
    local small = { slice(training, 1, 2000), slice(validation, 1, 300), slice(test, 1, 500) }
    -- the data line is the only change
    local n
    code, n = code:gsub("lunet%.data%.fashion_mnist%(%)", "SMALL()")
    assert.are.equal(1, n)
    local printed = {}
    local env = setmetatable({
      SMALL = function() return table.unpack(small) end,
      print = function(s) printed[#printed + 1] = s end,
    }, { __index = _G })
    lunet.seed(11)
    local chunk = assert(load(code, "=README", "t", env))
    local ok, err = pcall(chunk)
    assert.is_true(ok, err)
    local acc = tonumber(printed[1]:match("^test accuracy (%d+%.%d%d)%%$"))
    assert.is_truthy(acc, printed[1])
    assert.is_true(acc > 50, "test accuracy " .. acc .. "% after 3 epochs of 2000 images")
    local right, total = printed[2]:match("^(%d+) of (%d+) right$")
    assert.are.equal("500", total)
    -- the three scores agree: accuracy, evaluate and predict
    assert.is_true(math.abs(tonumber(right) / 500 - acc / 100) < 0.0001)
  end)
end)
