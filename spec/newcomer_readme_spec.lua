-- Every ```lua block of README.md, run as the README says a newcomer may
-- run them: in order, in one file (bin/lunet readme.lua, from a directory
-- of its own, since the blocks write files), with one change: Fashion-MNIST
-- is cut to slices (1,000 training and validation images, 500 test
-- images) and network3's 60 epochs to 2, so the whole README trains in
-- seconds. The same text is also typed into the prompt, line by line.
-- What the README says a block prints is checked where it gives figures.
local H = require "spec.helpers"

local q = H.shell_quote

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

-- The blocks in one text; network3's 60 epochs, the run's only long part,
-- cut to 2.
local function shortened(list)
  local code, n = table.concat(list, "\n"):gsub("net:SGD%(training, 60, 10, 0%.03,", "net:SGD(training, 2, 10, 0.03,")
  assert(n == 1, "network3's SGD call is not in README.md as the spec expects")
  return code
end

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
    H.write(dir .. "/readme.lua", SLICES .. shortened(list))
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

  it("run in order typed line by line at the prompt", function()
    local here = dir .. "/prompt"   -- a directory of its own: no file of the first run is read back
    assert(os.execute("mkdir -p " .. q(here)))
    H.write(here .. "/typed.lua", SLICES .. shortened(blocks()))
    local ok, out = sh(("cd %s && %s/bin/lunet < typed.lua"):format(q(here), q(top)))
    assert.is_true(ok, out)
    -- the prompt carries on after an error: none may be printed
    assert.not_matches("stdin:%d+:", out)
    assert.not_matches("stack traceback", out)
    assert.matches("\ntest accuracy %d+%.%d%d%%\n", out)
    assert.matches("%[Tensor float64 2%]\t34\t43\tgradient norm below gtol\n", out)
    assert.matches("\n11%.0\t1%.0\t2%.397", out)
  end)
end)
