-- Full-batch objectives (lunet.optim.objective): f(w) -> cost, gradient over
-- a whole data set, evaluated in C in chunks of 200 samples.
local lunet = require "lunet"
local core = require "lunet.core"
local nn = lunet.nn
local H = require "spec.helpers"

local function labels(n, classes)
  local y = lunet.zeros(n)
  for i = 1, n do y[i] = (i * 7) % classes end
  return y
end

local function small(n, dtype)
  lunet.seed(5)
  local net = lunet.Network({ 4, 5, 3 }, { dtype = dtype or "float64" })
  return net, { x = lunet.randn(n, 4, "float64"), y = labels(n, 3) }
end

-- Central differences of the cost in every coordinate of w.
local function numeric_grad(f, w, h)
  local g = lunet.zeros(w:numel(), "float64")
  for i = 1, w:numel() do
    local saved = w[i]
    w[i] = saved + h
    local up = f(w)
    w[i] = saved - h
    local down = f(w)
    w[i] = saved
    g[i] = (up - down) / (2 * h)
  end
  return g
end

local function rows(data, first, count)
  return { x = data.x:narrow(1, first, count), y = data.y:narrow(1, first, count) }
end

describe("lunet.optim.objective", function()
  it("reads float64 inputs of a float64 network in place, as the gathered copy gives them", function()
    -- Inputs that are multiples of 1/8 are exact in float32 too: the float32
    -- set is gathered and converted chunk by chunk, the float64 set read
    -- where it is; 450 samples make two full chunks and a partial one. Both
    -- must give the same cost and gradient, bit for bit, and so must a
    -- narrowed (offset) float64 set against its copy.
    lunet.seed(3)
    local net = lunet.Network({ 6, 5, 3 }, { dtype = "float64" })
    local t = {}
    for i = 1, 460 do
      t[i] = {}
      for j = 1, 6 do t[i][j] = ((i * 7 + j * 13 + i * j) % 17 - 8) / 8 end
    end
    local x = lunet.tensor(t, "float64")
    local y = labels(460, 3)
    local f64, w = lunet.optim.objective(net, { x = x:narrow(1, 1, 450), y = y:narrow(1, 1, 450) })
    local f32 = lunet.optim.objective(net, { x = x:narrow(1, 1, 450):to("float32"), y = y:narrow(1, 1, 450) })
    local c64, g64 = f64(w)
    local c32, g32 = f32(w)
    assert.are.equal(c32, c64)
    assert.are.same(g32:totable(), g64:totable())
    local shifted = lunet.optim.objective(net, { x = x:narrow(1, 7, 450), y = y:narrow(1, 7, 450) })
    local copied = lunet.optim.objective(net, { x = x:narrow(1, 7, 450):clone(), y = y:narrow(1, 7, 450):clone() })
    local cs, gs = shifted(w)
    local cc, gc = copied(w)
    assert.are.equal(cc, cs)
    assert.are.same(gc:totable(), gs:totable())
    assert.are_not.equal(c64, cs)
  end)

  it("returns f and the model's parameters as a float64 copy", function()
    local net, data = small(12)
    local f, w0 = lunet.optim.objective(net, data)
    assert.are.equal("function", type(f))
    assert.are.equal("float64", w0:dtype())
    H.near(w0, net:net():parameters(), 0)
    assert.is_false(w0:shares_storage(net:net():parameters()))
  end)

  for _, reg in ipairs { "l2", "l1" } do
    it("has the gradient of central differences of its cost (float64, " .. reg .. ")", function()
      local net, data = small(36)
      local f, w = lunet.optim.objective(net, data, { lambda = 0.7, reg = reg })
      local cost, grad = f(w)
      assert.is_true(cost > 0)
      local num = numeric_grad(f, w, 1e-6)
      assert.is_true(grad:norm() > 1e-3)
      H.near(grad, num, 1e-7, "gradient")
    end)

    it("costs what train.evaluate says with the same lambda (" .. reg .. ")", function()
      local net, data = small(36)
      local f, w = lunet.optim.objective(net, data, { lambda = 2.5, reg = reg })
      local plain = lunet.optim.objective(net, data)
      local expected = lunet.train.evaluate(net, data, 2.5, reg)
      H.near(f(w), expected, 1e-14, "cost")
      assert.is_true(f(w) > plain(w) + 1e-3, "the penalty counts")
    end)
  end

  it("does not depend on how the samples fall into chunks (450 samples)", function()
    local net, data = small(450)
    local f, w = lunet.optim.objective(net, data)
    local cost, grad = f(w)
    -- 150 + 300 samples: the second set is chunked 200 + 100, at other samples
    local f1, f2 = lunet.optim.objective(net, rows(data, 1, 150)), lunet.optim.objective(net, rows(data, 151, 300))
    local c1, g1 = f1(w)
    local c2, g2 = f2(w)
    H.near(cost, (150 * c1 + 300 * c2) / 450, 1e-13, "cost")
    H.near(grad, (g1 * 150 + g2 * 300) / 450, 1e-13, "gradient")
    -- the samples in reverse order: every chunk holds other samples
    local back = { x = lunet.zeros(450, 4, "float64"), y = lunet.zeros(450) }
    for i = 1, 450 do
      back.x:select(1, i):copy(data.x:select(1, 451 - i))
      back.y[i] = data.y[451 - i]
    end
    local cr, gr = lunet.optim.objective(net, back)(w)
    H.near(cr, cost, 1e-13, "reversed cost")
    H.near(gr, grad, 1e-13, "reversed gradient")
  end)

  it("is the mean over all samples: more than one chunk agrees with evaluate", function()
    local net, data = small(450)
    local f, w = lunet.optim.objective(net, data, { lambda = 3 })
    H.near(f(w), lunet.train.evaluate(net, data, 3), 1e-14, "cost")
  end)

  it("sets the model's parameters to w, and set_params writes any w back", function()
    local net, data = small(20)
    local f, w0 = lunet.optim.objective(net, data)
    local w = w0 * 0.5
    f(w)
    H.near(lunet.optim.get_params(net), w, 0)
    lunet.optim.set_params(net, w0)
    H.near(net:net():parameters(), w0, 0)
    lunet.optim.set_params(net, w:float())
    H.near(net:net():parameters(), w, 1e-7)
  end)

  it("takes float64 w on a float32 network and answers in float64; float32 w in float32", function()
    local net, data = small(30, "float32")
    local ref = small(30, "float64")
    local f, w = lunet.optim.objective(net, data, { lambda = 1 })
    local g = lunet.optim.objective(ref, data, { lambda = 1 })
    local c32, g32 = f(w)
    local c64, g64 = g(w)
    assert.are.equal("float64", g32:dtype())
    H.near(c32, c64, 1e-5, "cost")
    H.near(g32, g64, 1e-4, "gradient")
    local _, gf = f(w:float())
    assert.are.equal("float32", gf:dtype())
    H.near(gf, g64, 1e-4, "float32 gradient")
  end)

  it("is deterministic with dropout (evaluation mode: the identity)", function()
    lunet.seed(6)
    local model = nn.Sequential({ nn.Linear(4, 8), nn.Dropout(0.5), nn.Sigmoid(), nn.Linear(8, 3), nn.Softmax() },
      { input = { 4 }, cost = "log_likelihood", dtype = "float64" })
    local _, data = small(40)
    local f, w = lunet.optim.objective(model, data)
    local c1, g1 = f(w)
    local c2, g2 = f(w)
    assert.are.equal(c1, c2)
    H.near(g1, g2, 0)
    H.near(c1, lunet.train.evaluate(model, data), 1e-14, "evaluation cost")
    H.near(g1, numeric_grad(f, w, 1e-6), 1e-7, "gradient")
  end)

  it("refuses batch normalisation, which has no evaluation-mode backward, when the objective is made", function()
    local model = nn.Sequential({ nn.Linear(4, 3), nn.BatchNorm(), nn.Softmax() },
      { input = { 4 }, cost = "log_likelihood", dtype = "float64" })
    local _, data = small(10)
    -- the README says such networks are refused: not an f that fails at its first call
    assert.matches("lunet.optim.objective: layer 2 is batch normalisation", H.err(lunet.optim.objective, model, data))
    assert.matches("lunet.optim.newton_step: layer 2", H.err(lunet.optim.newton_step, model, data))
  end)

  it("lowers the cost under plain gradient descent", function()
    local net, data = small(60)
    local f, w = lunet.optim.objective(net, data, { lambda = 0.1 })
    local first, grad = f(w)
    local cost = first
    for _ = 1, 50 do
      w = w - grad * 0.5
      local c
      c, grad = f(w)
      assert.is_true(c < cost, "each step lowers the cost")
      cost = c
    end
    assert.is_true(cost < 0.8 * first, ("%g then %g"):format(first, cost))
  end)

  it("leaves its gradient in the network, where optim.optimizer's Adam steps from it", function()
    local net, data = small(60)
    local f = lunet.optim.objective(net, data)
    local opt = lunet.optim.optimizer(net, { kind = "adam", eta = 0.05 })
    assert.are.equal("adam", opt:kind())
    local params = net:net():parameters()
    local first = f(params)
    local cost = first
    for _ = 1, 30 do
      local before = lunet.optim.get_params(net)
      local _, grad = f(params)
      H.near(grad, net:net():gradients(), 0)
      opt:step(net:net())
      assert.is_true(H.maxdiff(before:totable(), params:totable()) > 0, "the step moved w")
      cost = f(params)
    end
    assert.is_true(cost < 0.8 * first, ("%g then %g"):format(first, cost))
    assert.matches("unknown option", H.err(lunet.optim.optimizer, net, { kind = "adam", bogus = 1 }))
  end)

  it("is minimised by L-BFGS and CG through optim.minimize", function()
    for _, method in ipairs { "lbfgs", "cg" } do
      local net, data = small(60)
      local f, w0 = lunet.optim.objective(net, data, { lambda = 0.1 })
      local first, g0 = f(w0)
      local w, h = lunet.optim.minimize(f, w0, { method = method, gtol = 1e-5, max_iter = 2000 })
      local cost, g = f(w)
      assert.is_true(h.converged, method .. ": " .. tostring(h.reason))
      assert.is_true(g:norm() <= 1e-5 and g:norm() < 1e-3 * g0:norm(), method)
      assert.is_true(cost < 0.7 * first, ("%s: %g then %g"):format(method, first, cost))
    end
  end)

  it("gives clear errors for a w of the wrong size, shape or type", function()
    local net, data = small(10)
    local f, w = lunet.optim.objective(net, data)
    local n = w:numel()
    assert.matches("1%-d tensor of the network's " .. n .. " parameters", H.err(f, lunet.zeros(n + 1, "float64")))
    assert.matches("1%-d tensor of the network's " .. n .. " parameters", H.err(f, lunet.zeros(1, n, "float64")))
    assert.matches("w must be a tensor", H.err(f, { 1, 2 }))
    assert.matches("w must be a 1%-d tensor", H.err(lunet.optim.set_params, net, lunet.zeros(3)))
    local closed = lunet.zeros(n, "float64")
    closed:close()
    assert.matches("w has been closed", H.err(f, closed))
    assert.matches("contiguous 1%-d tensor", H.err(core.objective, net:net(), data,
      lunet.zeros(2 * n, "float64"):view(n, 2):select(2, 1)))
  end)

  it("gives clear errors for bad options, data and models", function()
    local net, data = small(10)
    assert.matches("unknown option 'lamda'", H.err(lunet.optim.objective, net, data, { lamda = 1 }))
    assert.matches("lambda must be", H.err(lunet.optim.objective, net, data, { lambda = -1 }))
    assert.matches("reg must be", H.err(lunet.optim.objective, net, data, { reg = "l3" }))
    assert.matches("a data set is a table", H.err(lunet.optim.objective, net, { x = 1 }))
    assert.matches("label 5", H.err(lunet.optim.objective, net, { x = data.x, y = lunet.zeros(10) + 5 }))
    local nocost = nn.Sequential({ nn.Linear(4, 3) }, { input = { 4 } })
    assert.matches("has no cost", H.err(lunet.optim.objective, nocost, data))
  end)

  it("changes nothing when the call is refused", function()
    local net, data = small(10)
    local f, w = lunet.optim.objective(net, data)
    local before = lunet.optim.get_params(net)
    data.y[1] = 7          -- out of range, found in C
    assert.matches("label", H.err(f, w * 2))
    H.near(net:net():parameters(), before, 0)
  end)
end)

-- As a hostile caller: tensors closed before or during the call.
describe("core.objective under hostile arguments", function()
  local trap, closer = H.trap, H.close_and_collect

  local function setup()
    local model, data = small(10)
    return model:net(), data, lunet.optim.get_params(model)
  end

  it("a closed w, data tensor or network is an error", function()
    local net, data, w = setup()
    w:close()
    assert.matches("tensor has been closed", H.err(core.objective, net, data, w))
    net, data, w = setup()
    data.y:close()
    assert.matches("tensor has been closed", H.err(core.objective, net, data, w))
    net, data, w = setup()
    net:close()
    assert.matches("network has been closed", H.err(core.objective, net, data, w))
  end)

  it("a data set whose metamethod closes w, x or the network is caught", function()
    for _, victim in ipairs { "w", "x", "net" } do
      local net, data, w = setup()
      local t = ({ w = w, x = data.x, net = net })[victim]
      local msg = victim == "net" and "network has been closed" or "tensor has been closed"
      assert.matches(msg, H.err(core.objective, net, trap(data, "y", closer(t)), w), victim)
    end
  end)

  it("an option table whose metamethod closes w or y is caught", function()
    for _, victim in ipairs { "w", "y" } do
      local net, data, w = setup()
      local t = victim == "w" and w or data.y
      assert.matches("tensor has been closed",
        H.err(core.objective, net, data, w, trap({ reg = "l2", lambda = 1 }, "lambda", closer(t))), victim)
    end
  end)

  it("w may be a view of the network's own blocks", function()
    local net, data, w = setup()
    local c1, g1 = core.objective(net, data, w)
    local c2, g2 = core.objective(net, data, net:parameters())
    assert.are.equal(c1, c2)
    H.near(g1, g2, 0)
    core.objective(net, data, net:gradients())   -- w read before the gradients are overwritten
    H.near(net:parameters(), g1, 0)
  end)
end)
