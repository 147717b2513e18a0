-- Behaviour classes that mutants of the fourth seed (held out: measured
-- before these were written) showed unchecked.
local lunet = require "lunet"
local H = require "spec.helpers"

-- A version 1.0 .npy file with the given header dict text and data bytes.
local function npy(dict, data)
  local text = dict .. " "
  local total = (10 + #text + 1 + 63) // 64 * 64
  text = text .. (" "):rep(total - 10 - #text - 1) .. "\n"
  return "\147NUMPY\1\0" .. string.pack("<I2", #text) .. text .. (data or "")
end

local function load_text(bytes)
  local path = H.tmpname(".npy")
  H.write(path, bytes)
  local ok, r = pcall(lunet.load_npy, path)
  os.remove(path)
  return ok, r
end

describe("seed 4 survivors (regression)", function()
  describe(".npy header strings", function()
    it("quote an unsupported element type cut to its first 31 characters", function()
      for _, n in ipairs { 5, 30, 31, 32, 33, 60 } do
        local descr = "<" .. ("z"):rep(n - 1)
        local ok, err = load_text(npy(("{'descr': '%s', 'fortran_order': False, 'shape': (1,), }"):format(descr)))
        assert.is_false(ok)
        local want = descr:sub(1, 31)   -- the parser's buffer holds 31 and a NUL
        assert.truthy(tostring(err):find("element type '" .. want .. "' is not supported", 1, true),
          ("%d characters: %s"):format(n, tostring(err)))
      end
    end)

    it("refuse keys longer than any known one, whatever their start", function()
      for _, key in ipairs { "descr" .. ("x"):rep(40), ("k"):rep(31), ("k"):rep(32), "shape" .. ("y"):rep(27) } do
        local ok, err = load_text(npy(("{'%s': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
          :format(key), "\0\0\0\0"))
        assert.is_false(ok, key)
        assert.truthy(tostring(err):find("not a valid .npy header", 1, true), err)
      end
      -- the same file with its plain keys loads
      local ok, t = load_text(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "\0\0\128\63"))
      assert(ok, t)
      assert.are.same({ 1 }, t:totable())
    end)
  end)

  describe("low-level calls", function()
    local core = require "lunet.core"
    local function count(...) return select("#", ...) end

    it("that act return nothing, and lookups that miss return nothing", function()
      lunet.seed(3)
      local model = lunet.Network({ 3, 2 }, { cost = "quadratic" })
      local net = model:net()
      local d = { x = lunet.rand(4, 3), y = lunet.tensor { 0, 1, 1, 0 } }
      local sgd = core.optimizer(net, { eta = 0.1, momentum = 0.5 })
      local adam = core.optimizer(net, { kind = "adam" })
      local ckpt, npyfile, mdl = H.tmpname(".ckpt"), H.tmpname(".npy"), H.tmpname(".lunet")
      local calls = {
        { "seed", function() return lunet.seed(5) end },
        { "net:zero_grad", function() return net:zero_grad() end },
        { "net:set_cost", function() return net:set_cost("quadratic") end },
        { "net:save", function() return net:save(mdl) end },
        { "save_npy", function() return lunet.save_npy(npyfile, lunet.ones(2)) end },
        { "optimizer:set_eta", function() return sgd:set_eta(0.2) end },
        { "optimizer:set", function() return sgd:set("momentum", 0.25) end },
        { "optimizer:step", function() return sgd:step(net) end },
        { "check_data", function() return core.check_data(net, d) end },
        { "checkpoint_save", function() return core.checkpoint_save(ckpt, net, sgd, "root t:\n") end },
        { "optimizer:state of an unknown name", function() return sgd:state("nope") end },
        { "optimizer:velocity of Adam", function() return adam:velocity() end },
        { "tensor:close", function() return lunet.ones(2):close() end },
      }
      for _, c in ipairs(calls) do
        assert.are.equal(0, count(c[2]()), c[1])
      end
      -- and what they did took effect
      assert.are.equal(0.2, sgd:eta())
      assert.are.equal(0.25, sgd:get("momentum"))
      assert.are.same({ 1, 1 }, lunet.load_npy(npyfile):totable())
      assert.truthy(sgd:state("velocity"))
      os.remove(ckpt); os.remove(npyfile); os.remove(mdl)
    end)
  end)

  describe("gradcheck's details", function()
    it("name the layer, parameter and element of the worst error, with its two values", function()
      lunet.seed(8)
      local model = lunet.Network({ 3, 4, 2 }, { cost = "quadratic" })
      local x, y = lunet.randn(5, 3, "float64"), lunet.tensor { 0, 1, 1, 0, 1 }
      -- a crude step makes every error visible; the worst is somewhere real
      local worst, where = lunet.gradcheck(model, x, y, { eps = 0.5 })
      assert.is_true(worst > 1e-4)
      local sizes = { weight = { 4 * 3, 2 * 4 }, bias = { 4, 2 } }
      if where.param == "input" then
        assert.are.equal(0, where.layer)
        assert.is_true(where.element >= 1 and where.element <= 15)
      else
        assert.truthy(sizes[where.param], where.param)
        local layer = (where.layer + 1) // 2    -- Linear layers are 1 and 3
        assert.is_true(where.layer == 1 or where.layer == 3, tostring(where.layer))
        assert.is_true(where.element >= 1 and where.element <= sizes[where.param][layer])
      end
      -- the worst error is the reported pair's
      local scale = math.max(math.abs(where.analytic), math.abs(where.numeric), 1e-3)
      assert.is_true(math.abs(math.abs(where.analytic - where.numeric) / scale - worst) < 1e-12)
      -- inputs alone: the location is an input
      local _, w2 = lunet.gradcheck(lunet.nn.Sigmoid(), x, nil, { eps = 0.5 })
      assert.are.equal("input", w2.param)
      assert.are.equal(0, w2.layer)
      assert.is_true(w2.element >= 1 and w2.element <= 15)
    end)
  end)

  describe("gemm operands", function()
    it("of one column broadcast down the rows (row stride 0) read the one value for every row", function()
      for _, dtype in ipairs { "float32", "float64" } do
        local col = lunet.tensor({ { 2 } }, dtype):expand(3, 1)          -- (3, 1), strides (0, 1)
        local row = lunet.tensor({ { 1, 2, 3, 4 } }, dtype)
        H.near(lunet.matmul(col, row), { { 2, 4, 6, 8 }, { 2, 4, 6, 8 }, { 2, 4, 6, 8 } }, 0, dtype)
        local c = lunet.zeros(3, 4, dtype)
        lunet.gemm(col, row, c)
        H.near(c, { { 2, 4, 6, 8 }, { 2, 4, 6, 8 }, { 2, 4, 6, 8 } }, 0, dtype)
        -- and as the right operand: (1, 3) broadcast to (4, 3) is not a case, but (3, 1) x (1, 1) is
        local one = lunet.tensor({ { 5 } }, dtype):expand(1, 1)
        H.near(lunet.matmul(lunet.tensor({ { 1 }, { 2 }, { 3 } }, dtype), one), { { 5 }, { 10 }, { 15 } }, 0, dtype)
        local tall = lunet.tensor({ { 3 } }, dtype):expand(4, 1)         -- B (4, 1), row stride 0
        H.near(lunet.matmul(lunet.ones(2, 4, dtype), tall), { { 12 }, { 12 } }, 0, dtype)
      end
    end)
  end)

  describe("minimize's gradients", function()
    local minimize = require("lunet.minimize").minimize
    local core = require "lunet.core"
    local function quad(x)
      local v = x:totable()
      return (v[1] - 1) ^ 2 + 3 * (v[2] + 2) ^ 2, { 2 * (v[1] - 1), 6 * (v[2] + 2) }
    end
    it("may come in one reused buffer, or in float32, with the same path", function()
      local function fresh(x)
        local c, g = quad(x)
        return c, core.tensor(g, "float64")
      end
      local buf = core.zeros(2, "float64")
      local function reused(x)
        local c, g = quad(x)
        buf[1], buf[2] = g[1], g[2]
        return c, buf
      end
      for _, method in ipairs { "lbfgs", "cg", "bfgs" } do
        local xa, ha = minimize(fresh, { 0, 0 }, { method = method, path = true })
        local xb, hb = minimize(reused, { 0, 0 }, { method = method, path = true })
        assert.are.same(xa:totable(), xb:totable(), method)
        assert.are.same(ha.path, hb.path, method)
        assert.are.equal(ha.evaluations, hb.evaluations, method)
        H.near(xa, { 1, -2 }, 1e-6, method)
      end
      local x32 = minimize(function(x)
        local c, g = quad(x)
        return c, core.tensor(g, "float32")
      end, { 0, 0 }, { method = "lbfgs" })
      assert.are.equal("float64", x32:dtype())
      H.near(x32, { 1, -2 }, 1e-5)
    end)
  end)

  describe("optimizer hyperparameters", function()
    local core = require "lunet.core"
    -- What each kind takes, and which of them may change between steps.
    local KINDS = {
      sgd = { eta = true, momentum = true, nesterov = false },
      adagrad = { eta = true, eps = false },
      rmsprop = { eta = true, rho = false, eps = false },
      adam = { eta = true, beta1 = false, beta2 = false, eps = false },
      adamw = { eta = true, beta1 = false, beta2 = false, eps = false, weight_decay = false },
      adamax = { eta = true, beta1 = false, beta2 = false, eps = false },
    }
    local function net() return lunet.Network({ 3, 2 }, { cost = "quadratic" }):net() end

    it("only eta (and SGD's momentum) change between steps; the rest are fixed at creation", function()
      for kind, names in pairs(KINDS) do
        local o = core.optimizer(net(), { kind = kind, eta = 0.1, momentum = kind == "sgd" and 0.5 or nil })
        for name, scheduled in pairs(names) do
          if name ~= "nesterov" then
            local v = name == "eta" and 0.05 or name == "momentum" and 0.25 or 0.5
            local ok, err = pcall(o.set, o, name, v)
            if scheduled then
              assert(ok, kind .. "." .. name .. ": " .. tostring(err))
              assert.are.equal(v, o:get(name), kind .. "." .. name)
            else
              assert.is_false(ok, kind .. "." .. name .. " was changed")
              assert.truthy(tostring(err):find(name .. " is fixed when the optimizer is made", 1, true), err)
            end
          end
        end
        assert.is_false(pcall(o.set, o, "nesterov", 1))
        assert.is_false(pcall(o.set, o, "no_such", 1))
      end
    end)

    it("a checkpoint resumes only with the same fixed hyperparameters, whatever the scheduled ones", function()
      local path = H.tmpname(".ckpt")
      for kind, names in pairs(KINDS) do
        local a = net()
        local base = { kind = kind, eta = 0.1, momentum = kind == "sgd" and 0.5 or nil }
        core.checkpoint_save(path, a, core.optimizer(a, base), "root t:\n")
        for name, scheduled in pairs(names) do
          if name ~= "nesterov" then
            local o = {}
            for k, v in pairs(base) do o[k] = v end
            o[name] = name == "eta" and 0.123 or name == "momentum" and 0.3 or 0.625
            local b = net()
            local opt = core.optimizer(b, o)
            local ok, err = pcall(core.checkpoint_load, path, b, opt)
            if scheduled then
              assert(ok, kind .. "." .. name .. ": " .. tostring(err))
            else
              assert.is_false(ok, kind .. "." .. name .. " differs but was resumed")
              assert.truthy(tostring(err):find("was made with " .. name .. " = ", 1, true), err)
            end
          end
        end
      end
      os.remove(path)
    end)
  end)

  describe("data.load_default", function()
    it("without a name is the automatic choice: MNIST when found", function()
      local data = lunet.data
      local mnist, fashion = data.mnist, data.fashion
      local ok, err = pcall(function()
        data.mnist = function() return "tr", "va", "te" end
        local a, b, c, name = data.load_default()
        assert.are.same({ "tr", "va", "te", "mnist" }, { a, b, c, name })
        a, b, c, name = data.load_default("auto")
        assert.are.same({ "tr", "va", "te", "mnist" }, { a, b, c, name })
      end)
      data.mnist, data.fashion = mnist, fashion
      assert(ok, err)
    end)
  end)

  describe("L2 pooling's gradient", function()
    it("is 0 (not NaN, not x) where the window's norm is 0, including when it underflows", function()
      local pool = lunet.nn.Sequential({ lunet.nn.L2Pool(2) }, { dtype = "float64" })
      -- (1e-170)^2 underflows: the window's norm is 0 though its values are not
      local x = lunet.tensor({ { { { 1e-170, -1e-170, 3, 4 }, { 1e-170, 0, 0, 0 } } } }, "float64")
      local y = pool:forward(x):totable()[1][1][1]
      assert.are.same({ 0, 5 }, y)
      local dx = pool:backward(x, lunet.ones(1, 1, 1, 2, "float64")):totable()[1][1]
      H.near(dx, { { 0, 0, 0.6, 0.8 }, { 0, 0, 0, 0 } }, 1e-15)
      -- exactly 0 in the underflowed window (the mutant's x would be 1e-170)
      assert.are.equal(0, dx[1][1]); assert.are.equal(0, dx[1][2]); assert.are.equal(0, dx[2][1])
    end)
  end)

  describe("reductions", function()
    -- plain-Lua references over a table of rows
    local function ref(rows, dim, f)
      local out = {}
      if dim == 1 then
        for j = 1, #rows[1] do
          local col = {}
          for i = 1, #rows do col[i] = rows[i][j] end
          out[j] = f(col)
        end
      else
        for i = 1, #rows do out[i] = f(rows[i]) end
      end
      return out
    end
    local function pnorm(p)
      return function(v)
        local s = 0
        for _, x in ipairs(v) do s = s + math.abs(x) ^ p end
        return s ^ (1 / p)
      end
    end
    local function total(v)
      local s = 0
      for _, x in ipairs(v) do s = s + x end
      return s
    end

    it("norm (p = 1, 2, 3), sum and mean along each dimension of plain and transposed views", function()
      local rows = { { 1, -2, 0, 3 }, { 0.5, 4, -1, 0 }, { -3, 0, 2, 1.5 } }
      local cols = H.transpose(rows)
      for _, dtype in ipairs { "float32", "float64" } do
        local tol = dtype == "float64" and 1e-12 or 1e-5
        for _, case in ipairs { { lunet.tensor(rows, dtype), rows },
          { lunet.tensor(cols, dtype):t(), rows }, { lunet.tensor(rows, dtype):t(), cols } } do
          local t, r = case[1], case[2]
          for dim = 1, 2 do
            for _, p in ipairs { 1, 2, 3 } do
              H.near(t:norm(p, dim), ref(r, dim, pnorm(p)), tol, ("%s norm %d dim %d"):format(dtype, p, dim))
            end
            H.near(t:sum(dim), ref(r, dim, total), tol, dtype .. " sum")
            H.near(t:mean(dim), ref(r, dim, function(v) return total(v) / #v end), tol, dtype .. " mean")
          end
          H.near(t:norm(), pnorm(2)(H.flat(r)), tol, dtype .. " norm")
          H.near(t:norm(2), pnorm(2)(H.flat(r)), tol, dtype .. " norm(2)")
        end
      end
    end)
  end)
end)
