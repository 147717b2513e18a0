-- Every ```lua block of README.md, run as the README says a newcomer may
-- run them: in order, in one file (bin/lunet readme.lua, from a directory
-- of its own, since the blocks write files), with one change: Fashion-MNIST
-- is cut to slices (1,000 training and validation images, 500 test
-- images) and network3's 60 epochs to 2, so the whole README trains in
-- seconds. The blocks that need no
-- data are also typed into the prompt, line by line. What the README
-- says a block prints is checked where it gives the figures.
local H = require "spec.helpers"

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Under make asan the module needs the sanitizer runtime that LD_PRELOAD holds.
local function sh(cmd)
  local p = io.popen((os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD ") .. "sh -c " .. q(cmd) .. " 2>&1")
  local out = p:read("a")
  return p:close(), out
end

local function blocks()
  local list = {}
  for code in H.read("README.md"):gmatch("\n```lua\n(.-)```") do list[#list + 1] = code end
  return list
end

local SLICES = [[
local readme_data = require "lunet.data"
local readme_full = readme_data.fashion_mnist
readme_data.fashion_mnist = function(...)
  local tr, va, te = readme_full(...)
  return readme_data.take(tr, 1000), readme_data.take(va, 1000), readme_data.take(te, 500)
end
]]

describe("the README's lua blocks", function()
  local dir = H.tmpname("-readme")
  local top
  setup(function()
    local p = io.popen("pwd")
    top = p:read("l")
    p:close()
    assert(os.execute("mkdir -p " .. q(dir)))
  end)
  teardown(function() os.execute("rm -rf " .. q(dir)) end)

  it("run in order as one file and print what the README says", function()
    local list = blocks()
    assert.is_true(#list >= 14, #list .. " blocks")
    assert.equal('local lunet = require "lunet"', list[1]:match("^[^\n]+"))
    -- network3's 60 epochs are the run's only long part: 2 show the same
    local code, n = table.concat(list, "\n"):gsub("net:SGD%(training, 60, 10, 0%.03,", "net:SGD(training, 2, 10, 0.03,")
    assert.equal(1, n)
    H.write(dir .. "/readme.lua", SLICES .. code)
    local ok, out = sh(("cd %s && %s/bin/lunet readme.lua"):format(q(dir), q(top)))
    assert.is_true(ok, out)
    assert.matches("%[Tensor float32 3x3%]", out)
    assert.matches("\ntest accuracy %d+%.%d%d%%\n", out)
    -- the Minimisers block: (1, 1)  34  43  gradient norm below gtol
    assert.matches(" 1%.0000 1%.0000\n%[Tensor float64 2%]\t34\t43\tgradient norm below gtol\n", out)
    -- Linear algebra: 11.0   1.0  2.397...
    assert.matches("\n11%.0\t1%.0\t2%.397", out)
    -- Perceptrons: the AND of two bits is learnt, with no mistake in the last epoch
    assert.matches("\ntrue\t%d+\t0\n", out)
    for _, name in ipairs { "acc.svg", "monitor.svg", "w.svg", "eta.svg", "grid-run/results.csv", "run.ckpt" } do
      assert.is_true(os.rename(dir .. "/" .. name, dir .. "/" .. name), name .. " was not written")
    end
  end)

  it("that need no data run typed line by line at the prompt", function()
    local typed = {}
    for _, code in ipairs(blocks()) do
      if not code:find("training", 1, true) and not code:find("require", 1, true) then typed[#typed + 1] = code end
    end
    assert.is_true(#typed >= 4, #typed .. " blocks")
    H.write(dir .. "/typed.lua", 'local lunet = require "lunet"\n' .. table.concat(typed, "\n"))
    local ok, out = sh(("cd %s && %s/bin/lunet < typed.lua"):format(q(dir), q(top)))
    assert.is_true(ok, out)
    assert.not_matches("stdin:%d+:", out)
    assert.matches("%[Tensor float64 2%]\t34\t43\tgradient norm below gtol\n", out)
    assert.matches("\n11%.0\t1%.0\t2%.397", out)
  end)
end)
