-- The example scripts, run briefly, as a user would (bin/lunet), so that a
-- change elsewhere cannot break them unnoticed. Skipped under the sanitizer
-- build, which would make them slow.
local H = require "spec.helpers"

local function run(cmd)
  local p = io.popen("env -u LD_PRELOAD " .. cmd .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

describe("examples", function()
  if os.getenv("LUNET_ASAN") then return end
  local out = H.tmpname("-out")

  local function check_svg(name)
    local f = assert(io.open(out .. "/" .. name), "missing " .. name)
    local svg = f:read("a")
    f:close()
    assert.matches("^<svg", svg)
    assert.matches("</svg>%s*$", svg)
  end

  it("chapter1 prints the test count each epoch and the book's figure", function()
    local ok, text = run("bin/lunet examples/chapter1.lua --data fashion --epochs 2")
    assert.is_true(ok, text)
    assert.matches("Epoch 1: %d+ / 10000", text)
    assert.matches("~95%%", text)
  end)

  it("chapter3 prints the four monitors and plots them", function()
    local ok, text = run(("bin/lunet examples/chapter3.lua --data fashion --epochs 1 --hidden 20 --plot %s/c3.svg")
      :format(out))
    assert.is_true(ok, text)
    assert.matches("training cost [%d.]+  training accuracy [%d.]+%%  evaluation cost", text)
    assert.matches("98.04%%", text)
    check_svg("c3.svg")
  end)

  it("depth_vs_accuracy prints its table and writes its plots", function()
    local ok, text = run(("bin/lunet examples/depth_vs_accuracy.lua --data fashion --epochs 1 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("784%-30%-30%-30%-30%-10%s+[%d.]+%%%s+[%d.]+%%%s+96.53%%", text)
    check_svg("depth_vs_accuracy.svg")
    check_svg("gradient_norms_784-30-30-30-30-10.svg")
  end)

  it("learning_speed prints the initial speeds beside the book's", function()
    local ok, text = run(("bin/lunet examples/learning_speed.lua --data fashion --epochs 3 --seeds 1 --out %s")
      :format(out))
    assert.is_true(ok, text)
    assert.matches("0.003, 0.017, 0.07, 0.285", text)
    check_svg("learning_speed.svg")
  end)

  it("exploding_gradient shows the factor 25 and the 0.45 bound", function()
    local ok, text = run(("bin/lunet examples/exploding_gradient.lua --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("1953.12%s+25.000", text)
    assert.matches("0.447%d at |w| = 6.9", text)
    check_svg("exploding_gradient.svg")
  end)

  it("reject unknown options", function()
    local ok, text = run("bin/lunet examples/chapter1.lua --epoch 3")
    assert.is_falsy(ok)
    assert.matches("unknown option %-%-epoch", text)
  end)

  teardown(function() os.execute("rm -rf " .. out) end)
end)
