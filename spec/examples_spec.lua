-- The example scripts, run briefly, as a user would (bin/lunet), so that a
-- change elsewhere cannot break them unnoticed. Under make asan they run
-- with the sanitizer runtime that the module needs.
local H = require "spec.helpers"

local function run(cmd)
  local p = io.popen((os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD ") .. cmd .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

describe("examples", function()
  local out = H.tmpname("-out")

  local function check_svg(name)
    local f = assert(io.open(out .. "/" .. name), "missing " .. name)
    local svg = f:read("a")
    f:close()
    assert.matches("^<svg", svg)
    assert.matches("</svg>%s*$", svg)
  end

  -- What the README promises of every example's options.
  it("take the options the README lists for all examples", function()
    local trains = { batchnorm = "epochs", chapter1 = "epochs", chapter3 = "epochs", chapter6 = "epochs",
      depth_vs_accuracy = "epochs", filters = "epochs", hessian = "iters", learning_speed = "epochs",
      optimizers = "epochs" }
    local figures = { batchnorm = true, chapter3 = true, depth_vs_accuracy = true, exploding_gradient = true,
      filters = true, hessian = true, learning_speed = true, optimizers = true, valley = true }
    local p = io.popen("ls examples/*.lua")
    local names = {}
    for f in p:lines() do names[#names + 1] = f:match("examples/(.-)%.lua$") end
    p:close()
    assert.is_true(#names >= 11)
    for _, name in ipairs(names) do
      local ok, text = run("bin/lunet examples/" .. name .. ".lua --help")
      assert.is_true(ok, name .. ": " .. text)
      assert.matches("options:", text, 1, false, name)
      -- each option states its default once, and never as an empty one ("(default: OUT/x.svg) (default: )")
      for line in text:gmatch("\n  %-%-[^\n]*") do
        assert.is_falsy(line:find("(default: )", 1, true), name .. ":" .. line)
        assert.is_falsy(line:find("%(default:.*%(default:"), name .. ":" .. line)
      end
      local want = {}
      if trains[name] then want = { "data", "seed", trains[name] } end
      if figures[name] then want[#want + 1] = "out" end
      for _, o in ipairs(want) do
        assert.is_truthy(text:find("\n  %-%-" .. o .. " "), name .. " lacks --" .. o .. ":\n" .. text)
      end
    end
  end)

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

  it("valley prints iterations to converge and draws the paths over contours", function()
    local ok, text = run(("bin/lunet examples/valley.lua --max_iter 400 --drawn 40 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("gradient descent%s+201%s+202%s+[%d.e-]+%s+gradient norm below gtol", text)
    assert.matches("momentum mu=1 %(no friction%)%s+400%s+401%s+[%d.]+%s+max_iter reached", text)
    assert.matches("Newton%s+1%s+2%s", text)
    -- the lecture's cure in iterations, not only in the picture: the heavy ball tuned to the valley
    local gd = tonumber(text:match("gradient descent%s+(%d+)"))
    local polyak = tonumber(text:match("momentum, Polyak's eta, mu%s+(%d+)%s+%d+%s+[%d.e-]+%s+gradient norm below"))
    assert.is_true(polyak ~= nil and polyak * 3 < gd, text)
    assert.matches("Rosenbrock from %(%-1.2, 1%)", text)
    assert.matches("BFGS%s+34%s+43%s", text)
    for _, name in ipairs { "valley.svg", "rosenbrock.svg", "valley_cost.svg" } do
      check_svg(name)
      local svg = H.read(out .. "/" .. name)
      assert.is_true(tonumber(svg:match('^<svg[^>]- width="(%d+)"')) <= 1000, name)
      if name ~= "valley_cost.svg" then assert.matches('class="background"', svg) end
    end
  end)

  it("hessian prints the spectrum, Newton against gradient steps and the L2 shrinkage table", function()
    local ok, text = run(("bin/lunet examples/hessian.lua --data fashion --n 100 --iters 400 --mid 5 --late 150 "
      .. "--out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("network 49%-10%-10 with 610 parameters", text)
    local neg0 = tonumber(text:match("\ninitialisation%s+%S+%s+%S+%s+(%d+)"))
    local neg1 = tonumber(text:match("\nminimum%s+%S+%s+%S+%s+(%d+)"))
    assert.is_true(neg0 > 0 and neg1 == 0, text)
    for asym in text:gmatch("max |H %- H%^T| ([%d.e+-]+)") do assert.is_true(tonumber(asym) < 1e-12) end
    assert.matches("after 5 L%-BFGS%s+Newton, %-H%^%-1 g", text)
    assert.matches("lambda/%(lambda%+a%)%s+quadratic model%s+measured%s+all decayed", text)
    -- the lecture's claim, measured: with every parameter decayed, the minimum shrinks most along the
    -- eigenvectors of small eigenvalue (rows go from small eigenvalues to large)
    local table3 = text:match("all decayed\n(.-)\n%(")
    local shrink = {}
    for line in table3:gmatch("[^\n]+") do shrink[#shrink + 1] = tonumber(line:match("([%d.]+)%s*$")) end
    assert.is_true(#shrink >= 3, text)
    for i = 2, #shrink do assert.is_true(shrink[i] > shrink[i - 1], text) end
    assert.is_true(shrink[1] < 0.6 and shrink[#shrink] > 0.9, text)
    for _, name in ipairs { "hessian_spectrum.svg", "hessian_shrinkage.svg" } do
      check_svg(name)
      assert.is_true(tonumber(H.read(out .. "/" .. name):match('^<svg[^>]- width="(%d+)"')) <= 1000, name)
    end
  end)

  it("optimizers compares the mini-batch optimisers and the full-batch minimisers", function()
    local ok, text = run(("bin/lunet examples/optimizers.lua --data fashion --epochs 2 --subset 500 --which sgd,adam"
      .. " --fullbatch 100 --evals 15 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("SGD%s+0.15" .. ("%s+[%d.]+"):rep(4), text)
    assert.matches("Adam%s+0.001" .. ("%s+[%d.]+"):rep(4), text)
    assert.is_nil(text:find("Nesterov"))
    assert.matches("on 100 training images, 23860 parameters, at most 15 evaluations", text)
    assert.matches("gradient descent %(eta 1%)%s+14%s+15%s+[%d.]+", text)
    assert.matches("L%-BFGS %(m = 10%)%s+%d+%s+1[0-5]%s+[%d.]+", text)
    for _, name in ipairs { "optimizers_epochs.svg", "optimizers_seconds.svg", "fullbatch.svg" } do
      check_svg(name)
      local svg = H.read(out .. "/" .. name)
      assert.is_true(tonumber(svg:match('^<svg[^>]- width="(%d+)"')) <= 1000, name)
    end
    ok, text = run("bin/lunet examples/optimizers.lua --data fashion --which sgd,lbfgs")
    assert.is_falsy(ok)
    assert.matches("unknown method 'lbfgs'", text)
  end)

  it("chapter6 trains the networks asked for and prints the book's figures beside them", function()
    local ok, text = run("bin/lunet examples/chapter6.lua --data fashion --which 1,4 --epochs 1 --subset 500")
    assert.is_true(ok, text)
    assert.matches("== 4%. ", text)
    assert.matches("1%. FC%-100 sigmoid%s+97.80%%%s+[%d.]+%%", text)
    assert.matches("ReLU, eta 0.03, lambda 0.1%s+99.23%%%s+[%d.]+%%", text)
    assert.is_nil(text:find("== 2%. "))
    ok, text = run("bin/lunet examples/chapter6.lua --data fashion --which 9")
    assert.is_falsy(ok)
    assert.matches("%-%-which takes numbers 1..7", text)
  end)

  it("filters draws the first-layer kernels and the misclassified images", function()
    local ok, text = run(("bin/lunet examples/filters.lua --data fashion --epochs 1 --subset 500 --show 8 --out %s")
      :format(out))
    assert.is_true(ok, text)
    assert.matches("%d+ of 10000 test images misclassified", text)
    check_svg("filters.svg")
    check_svg("misclassified.svg")
  end)

  it("batchnorm compares the deep sigmoid network with and without batch norm", function()
    local ok, text = run(("bin/lunet examples/batchnorm.lua --data fashion --epochs 1 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("plain sigmoid%s+[%d.]+%%%s+[%d.]+%%", text)
    assert.matches("with batch norm%s+[%d.]+%%%s+[%d.]+%%", text)
    check_svg("batchnorm_accuracy.svg")
    check_svg("batchnorm_gradient_norms.svg")
  end)

  it("overfitting trains with and without L2 and plots the four monitors", function()
    local ok, text = run(("bin/lunet examples/overfitting.lua --data fashion --quick --epochs 2 --eval 300 --out %s")
      :format(out))
    assert.is_true(ok, text)
    assert.matches("no regularisation%s+[%d.]+%s+[%d.]+%%%s+[%d.]+%%", text)
    assert.matches("L2, lambda = 0.1%s+[%d.]+", text)
    assert.matches("82.27%%", text)
    local names = { "overfitting_lambda_0.svg", "overfitting_lambda_0.1.svg", "overfitting_test_accuracy.svg" }
    for _, name in ipairs(names) do
      check_svg(name)
      assert.is_true(tonumber(H.read(out .. "/" .. name):match('^<svg[^>]- width="(%d+)"')) <= 1000, name)
    end
  end)

  it("hyperparameters runs the broad strategy, the eta threshold and a grid search", function()
    local ok, text = run(("bin/lunet examples/hyperparameters.lua --data fashion --train 200 --validation 100 "
      .. "--epochs 1 --jobs 2 --time_train 2000 --target 0.5 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("after%s+1000 images", text)
    assert.matches("threshold about [%d.e-]+", text)
    assert.matches("grid search: 9 configurations", text)
    assert.matches("best: eta [%d.e-]+, lambda [%d.]+", text)
    check_svg("eta_threshold.svg")
    check_svg("grid/results.svg")
    assert.matches("^eta,lambda,accuracy", H.read(out .. "/grid/results.csv"))
    assert.matches("mini%-batch 10%s+eta", text)
    check_svg("batch_time.svg")
  end)

  local function narrow_svg(name)
    check_svg(name)
    local width = tonumber(H.read(out .. "/" .. name):match('^<svg[^>]- width="([%d.]+)"'))
    assert.is_true(width <= 1000, name .. " is " .. tostring(width) .. " px wide")
  end

  it("perceptrons checks the NAND adders on every input and runs the perceptron rule", function()
    local ok, text = run(("bin/lunet examples/perceptrons.lua --epochs 100 --points 200 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("1 %+ 1 = 2\n", text)
    assert.matches("right on 16 of 16 inputs", text)
    assert.matches("adders right on every input: yes", text)
    assert.matches("XOR%s+NOT separated after  100 epochs", text)
    assert.matches("AND%s+separated after", text)
    narrow_svg("perceptron_mistakes.svg")
  end)

  it("universality prints the deviation for each N and draws the book's figures", function()
    local ok, text = run(("bin/lunet examples/universality.lua --ns 5,20 --epochs 5 --out %s"):format(out))
    assert.is_true(ok, text)
    assert.matches("\n%s+5%s+10%s+0%.0%d+%s+0%.%d+\n%s+20%s+40%s+0%.0%d+", text)
    assert.matches("the average deviation falls as N grows: yes", text)
    for _, name in ipairs { "step", "bump", "approximation", "inverse", "sgd", "deviation", "tower" } do
      narrow_svg("universality_" .. name .. ".svg")
    end
  end)

  it("parity builds parity by hand and searches the widths that learn it", function()
    local ok, text = run(("bin/lunet examples/parity.lua --max_n 3 --epochs 300 --tries 1 --max_width 4 --out %s")
      :format(out))
    assert.is_true(ok, text)
    assert.matches("\n%s+3%s+3, 8 / 8%s+8, 6, 8 / 8", text)
    -- 2-bit parity is learnt within the budget: a width, its parameters and the epoch
    assert.matches("\n%s+2%s+%d+ %(%d+, %d+%)%s+%d+, %d+ %(%d+, %d+%)", text)
    assert.matches("\n%s+3%s+[%w ,()]+\n", text)
    narrow_svg("parity.svg")
  end)

  it("reject unknown options", function()
    local ok, text = run("bin/lunet examples/chapter1.lua --epoch 3")
    assert.is_falsy(ok)
    assert.matches("unknown option %-%-epoch", text)
  end)

  teardown(function() os.execute("rm -rf " .. out) end)
end)
