-- Regression inputs for what `make fuzz` found (issue 9, item 9), each
-- rebuilt here from its fields rather than kept as a binary file. Every
-- one crashed, hung or tripped a sanitizer before its fix; each must now
-- be a clean Lua error. Names are the harness and the libFuzzer artifact.
local lunet = require "lunet"
local core = require "lunet.core"
local craft = require "spec.craft"
local H = require "spec.helpers"

describe("fuzz findings", function()
  it("fuzz_idx crash-caa3f011: a zero size beside huge ones overflowed the strides", function()
    -- UBSan: signed overflow in set_contiguous_strides; the release build
    -- returned an empty tensor with garbage strides. Fix: idx.c multiplies
    -- every non-zero size (shape_fits) before allocating.
    local bytes = craft.idx(0x08, { 526, 0, 16777216, 4294967295, 512, 262144, 151060735 })
    assert.are.equal("000008070000020e0000000001000000ffffffff0000020000040000090100ff",
      (bytes:gsub(".", function(c) return ("%02x"):format(c:byte()) end)))
    assert.matches("shape 526x0x16777216x4294967295x512x262144x151060735 is too large",
      craft.err(lunet.data.load_idx, bytes))
  end)

  it("fuzz_idx_gz crash-d81e9ffc: the same through two gzip members", function()
    local idx = craft.idx(0x0E, { 3586, 1, 269488129, 0, 256, 2088533116, 2080384769 })
    local bytes = craft.gzip(idx:sub(1, 7)) .. craft.gzip(idx:sub(8))   -- the harness's mode 1, cut at 7
    assert.matches("is too large", craft.err(lunet.data.load_idx, bytes, ".gz"))
  end)

  it("fuzz_idx_gz crash-e30ce9c1: a gzip trailer's size matched a huge claim modulo 2^32", function()
    -- 17235968 x 134438912 x 200 bytes claimed, header + data = 16 mod 2^32,
    -- as the 16-byte stream's ISIZE says: the reader trusted it and asked for
    -- 1.9e18 bytes (ASan: allocation-size-too-big). Fix: ISIZE is trusted only
    -- for claims below 4 GB that the file could expand to; others are counted.
    local bytes = craft.gzip(craft.idx(0x08, { 17235968, 134438912, 200 }))
    assert.matches("but the decompressed stream holds only 0 bytes", craft.err(lunet.data.load_idx, bytes, ".gz"))
  end)

  it("fuzz_model_crc timeout-22655d9f: a 17 GB parameter block allocated before the count check", function()
    -- A dense layer of 4 -> 1069127938 made ln_net_finish calloc 17 GB (a
    -- timeout under ASan) before the file's parameter count (10) was read.
    -- Fix: model.c counts the layers' parameters, checked, against the file
    -- before the network allocates its blocks.
    local bytes = craft.model { input = { 1, 4, 4 }, nparams = 10, layers = {
      { type = "pool", kernel = 2, stride = 2, pool = 1, act = 3 },
      { type = "pool", kernel = 1, stride = 1, pool = 2, act = 3 },
      { type = "dense", n_in = 4, n_out = 1069127938, shape = { 3, 0, 1 << 32, 1 << 32 }, shape_ndim = 0 },
    } }
    assert.matches("parameter count does not match the layers", craft.err(lunet.load, bytes, ".lunet"))
  end)

  it("fuzz_model_crc crash-6edcf747: a pooling stride of 2^33 became 0 as an int", function()
    -- UBSan: division by zero in ln_pool_new (SIGFPE in the release build,
    -- also from Lua: nn.MaxPool(2, 1 << 32)). Fix: pool.c refuses strides
    -- and map sizes that do not fit an int.
    local bytes = craft.model { input = { 1, 4, 4 }, has_cost = 1, cost = 1, nparams = 38, layers = {
      { type = "conv", n_in = 1, maps = 2, kernel = 3, stride = 1, pad = 1, act = 3, eps = 1e-5, momentum = 0.1 },
      { type = "act", act = 2, stride = 1 },
      { type = "pool", kernel = 2, stride = 1 << 33, act = 3 },
      { type = "dense", n_in = 8, n_out = 2, act = 3, stride = 1 },
      { type = "act", n_in = 4295000064, act = 0, stride = 1 },
    } }
    assert.matches("layer 3 %(pool2d%): pooling stride must be 1..2147483647, not 8589934592",
      craft.err(lunet.load, bytes, ".lunet"))
    assert.matches("pooling stride must be 1..2147483647",
      select(2, pcall(lunet.nn.Sequential, { lunet.nn.MaxPool(2, 1 << 32) },
      { input = { 1, 4, 4 } })))
  end)

  it("fuzz_model_crc crash-55725a30: reshape sizes of 2^33 overflowed their product", function()
    -- UBSan: signed overflow in ln_shape_numel from ln_reshape_new. In the
    -- release build a wrapped product could equal the input's: Reshape(2^62 + 4, 4)
    -- of 16 values was accepted. Fix: reshape.c multiplies the sizes checked.
    local bytes = craft.model { input = { 6 }, has_cost = 1, cost = 2, nparams = 28, layers = {
      { type = "dense", n_in = 6, n_out = 4, act = 3, stride = 1 },
      { type = "dropout", p = 0.25, act = 3, stride = 1 },
      { type = "reshape", n_in = 64256, act = 3, stride = 1, shape = { 8589934599, 8589934592 } },
      { type = "dense", n_in = 1 },
    } }
    assert.matches("layer 3 %(reshape%): the new shape has too many values per sample",
      craft.err(lunet.load, bytes, ".lunet"))
    local ok, msg = pcall(lunet.nn.Sequential, { lunet.nn.Reshape((1 << 62) + 4, 4) }, { input = { 1, 4, 4 } })
    assert.is_false(ok)
    assert.matches("layer 1 %(reshape%): the new shape has too many values per sample", msg)
  end)

  it("review of the model harness: an activation number out of range crashed the binding", function()
    -- Found while writing fuzz_model_crc (the harness stops at the core; the
    -- binding then turns the specs into tables): a dense record with
    -- act = 99999 loaded, and push_spec read act_names[99999] (segfault).
    -- Fix: model.c range-checks every enum field of a record.
    local bytes = craft.model { input = { 4 }, nparams = 15,
      layers = { { type = "dense", n_in = 4, n_out = 3, act = 99999 } } }
    assert.matches("invalid layer record", craft.err(lunet.load, bytes, ".lunet"))
  end)

  -- fuzz_checkpoint_crc's harness makes the network and optimizer a resume
  -- would make from a checkpoint the look inside (core.checkpoint_text)
  -- accepts, and requires the load into them to succeed.
  describe("in checkpoints", function()
    local tmp
    before_each(function() tmp = H.tmpname(".ckpt") end)
    after_each(function() os.remove(tmp) end)

    -- A float64 network, its data, and a checkpoint of one epoch (as the seeds).
    local function model()
      lunet.seed(9)
      return lunet.nn.Sequential({ lunet.nn.Linear(4, 3), lunet.nn.Softmax() },
        { cost = "log_likelihood", dtype = "float64" })
    end
    local function data()
      local y = lunet.zeros({ 6 }, { dtype = "float64" })
      for i = 1, 6 do y[i] = (i - 1) % 3 end
      lunet.seed(10)
      return { x = lunet.rand({ 6, 4 }, { dtype = "float64" }), y = y }
    end
    local function saved(opts)
      lunet.train.sgd(model(), data(), H.sgd_opts(opts, 2))
      return craft.checkpoint_fields(H.read(opts.checkpoint))
    end

    it("fuzz_checkpoint_crc crash-683edb73: an optimizer record no optimizer can be made from was read", function()
      -- AdamW's record with a training set size of 0 (and a lambda of
      -- 8.8e-280): the look inside accepted it, a resume then blamed the run
      -- ("made for a training set of 0 samples, this one has 6"). Fix:
      -- checkpoint.c checks lambda and n as ln_optim_init does (one
      -- function, ln_optim_check_run), booleans as 0 or 1, and the state
      -- count against the kind's for the stored hyperparameters.
      local adamw = saved { optimizer = { kind = "adamw", weight_decay = 0.1 }, checkpoint = tmp }
      assert.are.equal(H.read(tmp), craft.checkpoint(adamw))   -- the fields as read give the file back
      local function with(c, fields)
        local out = {}
        for k, v in pairs(c) do out[k] = v end
        for k, v in pairs(fields) do out[k] = v end
        return craft.checkpoint(out)
      end
      local bad = with(adamw, { n = 0, lambda = 8.814425663402488e-280 })
      local msg = "invalid optimizer record %(regularisation or training set size%)"
      assert.matches(msg, craft.err(core.checkpoint_text, bad))
      H.write(tmp, bad)
      assert.matches("resume: .*" .. msg, H.err(lunet.train.sgd, model(), data(),
        H.sgd_opts({ optimizer = { kind = "adamw", weight_decay = 0.1 }, resume = tmp }, 2)))
      for _, fields in ipairs { { n = 1 << 63 }, { n = -1 }, { lambda = -1 }, { lambda = 0 / 0 },
        { lambda = math.huge } } do
        assert.matches(msg, craft.err(core.checkpoint_text, with(adamw, fields)))
      end
      local half = #adamw.state // 2
      assert.matches("optimizer state count does not match its kind",
        craft.err(core.checkpoint_text, with(adamw, { nstate = 1, state = adamw.state:sub(1, half) })))
      local sgd = saved { momentum = 0.5, nesterov = true, checkpoint = tmp }
      assert.matches("invalid optimizer hyperparameters", craft.err(core.checkpoint_text,
        with(sgd, { hp = { sgd.hp[1], sgd.hp[2], 0.5 } })))
      assert.matches("optimizer state count does not match its kind",
        craft.err(core.checkpoint_text, with(sgd, { nstate = 0, state = "" })))
    end)

    it("fuzz_checkpoint_crc crash-b9ac24f0: a NaN a layer type ignores made the network differ from itself", function()
      -- The dense record's eps (a batch-norm field) was NaN: the model reader
      -- ignored it, and the checkpoint's layer then never equalled any
      -- network's, its own included ("layer 1 (dense) differs from this
      -- network's layer 1 (dense)"). Fix: model.c refuses NaN and infinities
      -- in every real field of a record, as it refuses enums out of range.
      local c = saved { checkpoint = tmp }
      local at = craft.RECORD1 + craft.EPS
      c.model = craft.reseal(c.model:sub(1, at) .. string.pack("<d", 0 / 0) .. c.model:sub(at + 9))
      assert.matches("invalid layer record", craft.err(core.checkpoint_text, craft.checkpoint(c)))
      for _, v in ipairs { 0 / 0, math.huge, -math.huge } do
        local bytes = craft.model { input = { 4 }, nparams = 15,
          layers = { { type = "dense", n_in = 4, n_out = 3, eps = v } } }
        assert.matches("invalid layer record", craft.err(lunet.load, bytes, ".lunet"))
      end
    end)
  end)
end)
