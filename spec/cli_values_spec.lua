-- The command line as a user types it: values an example cannot use
-- (--epochs -1, --epochs 2.5, --data foo, an --out that cannot be a
-- directory, 1e400) were taken and failed later, after loading the data or
-- training, with a traceback through lunet's files, or ran on with a
-- nonsense value; a missing value took the next option as its value; a
-- path with a quote broke the examples' mkdir; an option misspelt on
-- bin/lunet got lua5.4's usage. Each is now one line on stderr, naming
-- the option, and status 2, before any work.
local H = require "spec.helpers"

local q = H.shell_quote

-- runs bin/lunet with the arguments (quoted); returns its status and output
local function lunet(args, env)
  local words = {}
  for i, a in ipairs(args) do words[i] = q(a) end
  local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ") .. (env or "")
    .. " timeout 60 bin/lunet " .. table.concat(words, " ") .. " 2>&1 </dev/null")
  local out = p:read("a")
  local _, _, code = p:close()
  return code, out
end

-- refused: status 2, the one line expected, no traceback
local function refused(args, pattern, env)
  local code, out = lunet(args, env)
  local cmd = table.concat(args, " ")
  assert.equal(2, code, cmd .. "\n" .. out)
  assert.is_nil(out:find("traceback", 1, true), cmd .. "\n" .. out)
  assert.matches("^[^\n]+\n$", out, nil, nil, cmd .. "\n" .. out)
  assert.truthy(out:find(pattern, 1, true), ("expected %q from %s, got:\n%s"):format(pattern, cmd, out))
end

local function examples()
  local p = io.popen("ls examples/*.lua")
  local names = {}
  for f in p:lines() do names[#names + 1] = f end
  p:close()
  return names
end

-- the options of the script's cli.parse list, with their defaults, read from its text
local function options(script)
  local text = H.read(script):match("%.parse%(arg, (%b{})")
  assert.truthy(text, script)
  local list = {}
  for name, default in text:gmatch('\n%s*{ "([%w_]+)", ([^,]+),') do
    list[#list + 1] = { name = name, default = default }
  end
  return list
end

describe("an example's command line", function()
  it("refuses a number that is not finite and a missing value, in every example", function()
    for _, script in ipairs(examples()) do
      local list = options(script)
      assert.is_true(#list > 0, script)
      for _, o in ipairs(list) do
        if tonumber(o.default) then
          refused({ script, "--" .. o.name, "1e400" }, ("option --%s needs a finite number, got 1e400"):format(o.name))
          break
        end
      end
    end
    refused({ "examples/chapter1.lua", "--seed" }, "option --seed needs a value")
    -- the next option is not the value
    refused({ "examples/valley.lua", "--out", "--drawn", "3" }, "option --out needs a value")
  end)

  it("refuses epochs, sizes, names and choices the example cannot use, before any work", function()
    refused({ "examples/chapter1.lua", "--epochs", "-1" }, "option --epochs needs a whole number >= 1, got -1")
    refused({ "examples/chapter1.lua", "--epochs", "2.5" }, "option --epochs needs a whole number >= 1, got 2.5")
    refused({ "examples/chapter1.lua", "--epochs", "0" }, "option --epochs needs a whole number >= 1, got 0")
    refused({ "examples/chapter1.lua", "--data", "foo" }, "option --data takes mnist, fashion, auto, got 'foo'")
    refused({ "examples/depth_vs_accuracy.lua", "--activation", "foo" },
      "option --activation takes sigmoid, tanh, relu, got 'foo'")
    refused({ "examples/depth_vs_accuracy.lua", "--init", "glorot" }, "option --init takes default, large, he, xavier")
    refused({ "examples/filters.lua", "--subset", "-1" }, "option --subset needs a whole number >= 0, got -1")
    refused({ "examples/exploding_gradient.lua", "--seed", "2.5" }, "option --seed needs a whole number, got 2.5")
    refused({ "examples/valley.lua", "--max_iter", "2.5" }, "option --max_iter needs a whole number >= 1, got 2.5")
    refused({ "examples/valley.lua", "--drawn", "-1" }, "option --drawn needs a whole number >= 1, got -1")
    refused({ "examples/perceptrons.lua", "--points", "0" }, "option --points needs a whole number >= 1, got 0")
    refused({ "examples/hyperparameters.lua", "--target", "2" }, "option --target needs a number in (0, 1], got 2")
    refused({ "examples/chapter3.lua", "--eta", "-0.5" }, "option --eta needs a number > 0, got -0.5")
    refused({ "examples/parity.lua", "--max_n", "40" }, "need 2 <= min_n <= max_n <= 16, got 2 and 40")
    refused({ "examples/parity.lua", "--tries", "0" }, "option --tries needs a whole number >= 1, got 0")
    refused({ "examples/universality.lua", "--ns", "0" }, "option --ns takes positive integers")
    refused({ "examples/hessian.lua", "--size", "9" }, "option --size must be 7 or 14, got 9")
  end)

  it("refuses an --out that cannot be a directory, before the training, and takes one with a quote", function()
    local file = H.tmpname("-file")
    H.write(file, "x")
    refused({ "examples/depth_vs_accuracy.lua", "--epochs", "1", "--out", file .. "/plots" },
      "option --out: cannot make the directory " .. file .. "/plots: ")
    refused({ "examples/valley.lua", "--out", file }, "option --out: cannot make the directory " .. file .. ": ")
    refused({ "examples/chapter3.lua", "--plot", file .. "/c3.svg" }, "option --plot: cannot make the directory ")
    refused({ "examples/perceptrons.lua", "--out", "/proc/no/such" }, "option --out: cannot make the directory ")
    os.remove(file)
    local dir = H.tmpname("-it's a dir")
    local code, out = lunet({ "examples/perceptrons.lua", "--epochs", "1", "--points", "10", "--out", dir })
    assert.equal(0, code, out)
    assert.matches("^<svg", H.read(dir .. "/perceptron_mistakes.svg"))
    os.execute("rm -rf " .. q(dir))
  end)

  it("says that MNIST is missing in its message alone, with status 1", function()
    local empty = H.tmpname("-empty")
    os.execute("mkdir -p " .. q(empty))
    local code, out = lunet({ "examples/chapter1.lua", "--data", "mnist" },
      "LUNET_MNIST_DIR=" .. q(empty) .. " XDG_CACHE_HOME=" .. q(empty))
    os.execute("rm -rf " .. q(empty))
    assert.equal(1, code, out)
    assert.matches("^MNIST not found%. Looked in:\n", out)
    assert.is_nil(out:find("traceback", 1, true), out)
  end)
end)

describe("an example with values it takes", function()
  it("refuses a count above what the data holds, which was cut down unsaid or failed inside lunet", function()
    refused({ "examples/learning_speed.lua", "--data", "fashion", "--images", "50001", "--out", H.tmpname() },
      "option --images: the training set has 50000 images, got 50001")
    refused({ "examples/overfitting.lua", "--data", "fashion", "--eval", "10001", "--out", H.tmpname() },
      "option --eval: the test set has 10000 images, got 10001")
  end)

  it("ends on an error inside lunet with its message alone, run as bin/lunet runs the examples", function()
    local dir = H.tmpname("-out")
    for _, args in ipairs {
      { "examples/perceptrons.lua", "--epochs", "1", "--points", "1000000000000", "--out", dir },
      { "--example", "perceptrons", "--epochs", "1", "--points", "1000000000000", "--out", dir },
    } do
      local code, out = lunet(args)
      assert.equal(1, code, out)
      assert.matches("\nlunet: [^\n]*examples/perceptrons%.lua:%d+: rand: out of memory allocating a tensor "
        .. "of %d+ bytes\n$", out)
      assert.is_nil(out:find("traceback", 1, true), out)
    end
    -- the script still gets its arguments and arg[0] as lua5.4 gives them
    local code, out = lunet({ "examples/valley.lua", "--help" })
    assert.equal(0, code, out)
    assert.matches("^Minimisers on a badly conditioned valley", out)
    os.execute("rm -rf " .. q(dir))
  end)

  it("valley with an --max_iter too small for any method to converge writes the plots it can", function()
    local dir = H.tmpname("-out")
    local code, out = lunet({ "examples/valley.lua", "--max_iter", "3", "--drawn", "2", "--out", dir })
    assert.equal(0, code, out)
    assert.matches("no method converged on Rosenbrock within 3 iterations", out)
    assert.matches("^<svg", H.read(dir .. "/rosenbrock.svg"))
    os.execute("rm -rf " .. q(dir))
  end)
end)

describe("bin/lunet", function()
  it("refuses a long option it does not know, and words after --help and --version", function()
    refused({ "--examples" }, "lunet: unknown option '--examples' (lunet --help lists them)")
    refused({ "--verison" }, "lunet: unknown option '--verison'")
    refused({ "--version", "x" }, "lunet: --version takes no arguments, got 'x' (lunet --help)")
    refused({ "--help", "--example" }, "lunet: --help takes no arguments, got '--example'")
    local code, out = lunet({ "--", "examples/valley.lua", "--help" })
    assert.equal(0, code, out)
  end)
end)

describe("the Makefile's numbers for the developer tools", function()
  -- status and output of a command run with sh
  local function sh(cmd)
    local p = io.popen(cmd .. " 2>&1 </dev/null")
    local out = p:read("a")
    local _, _, code = p:close()
    return code, out
  end

  it("refuse a value that is not a whole number before the run starts, not a run of the default size", function()
    for _, v in ipairs { "abc", "0", "-1", "2.5" } do
      local code, out = sh("MUTANTS=" .. q(v) .. " timeout 10 lua5.4 tools/mutants.lua /proc/no-lunet-tree")
      assert.equal(2, code, out)
      assert.equal(("mutants: MUTANTS must be a whole number >= 1, got '%s'\n"):format(v), out)
    end
    local code, out = sh("MUTANT_SEED=x timeout 10 lua5.4 tools/mutants.lua /proc/no-lunet-tree")
    assert.equal(2, code, out)
    assert.equal("mutants: MUTANT_SEED must be a whole number, got 'x'\n", out)
    for _, v in ipairs { "abc", "", "0", "1e3" } do
      code, out = sh("timeout 10 sh fuzz/run.sh " .. q(v) .. " nosuch")
      assert.equal(2, code, out)
      assert.equal(("fuzz/run.sh: FUZZ_SECONDS must be a whole number of seconds >= 1, got '%s'\n"):format(v), out)
    end
  end)
end)

describe("LUNET_OPENBLAS", function()
  local function load_with(value)
    local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ") .. "LUNET_OPENBLAS=" .. q(value)
      .. " LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' lua5.4 -e "
      .. "'print(require(\"lunet\").ones(2):sum())' 2>&1")
    local out = p:read("a")
    local ok = p:close()
    return ok, out
  end

  it("that does not load is said, naming the variable, not a quiet fall back to the system's OpenBLAS", function()
    local ok, out = load_with("/no/such/libopenblas.so")
    assert.is_falsy(ok)
    assert.matches("^lua5.4: cannot load LUNET_OPENBLAS=/no/such/libopenblas.so: ", out)
    local libz = io.popen("ls /lib/*/libz.so.1 /usr/lib/*/libz.so.1 2>/dev/null"):read("l")
    if libz then
      ok, out = load_with(libz)
      assert.is_falsy(ok)
      assert.matches("^lua5.4: " .. libz:gsub("%p", "%%%0") .. " is not OpenBLAS: it lacks cblas_sgemm\n", out)
    end
    ok, out = load_with("")   -- empty is unset
    assert.is_true(ok, out)
    assert.equal("2.0\n", out)
  end)
end)

describe("LUNET_PROFILE", function()
  local function enabled(value)
    local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ") .. "LUNET_PROFILE=" .. q(value)
      .. " LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' lua5.4 -e "
      .. "'require(\"lunet\"); print(require(\"lunet.core\").profile_enabled())' 2>&1")
    local out = p:read("a")
    p:close()
    return out
  end

  it("turns the profiler on for 1 and cpu only; false, no or a typo leave it off and say so", function()
    assert.equal("true\n", enabled("1"))
    assert.equal("true\n", enabled("cpu"))
    assert.equal("false\n", enabled("0"))
    assert.equal("false\n", enabled(""))
    for _, v in ipairs { "false", "no", "off" } do
      local want = ("lunet: LUNET_PROFILE=%s is not 1, cpu or 0: the profiler stays off\nfalse\n"):format(v)
      assert.equal(want, enabled(v))
    end
  end)
end)

describe("XDG_CACHE_HOME", function()
  it("is ignored when relative, as the XDG specification says, not a cache in each directory", function()
    local function dir(xdg)
      local p = io.popen((os.getenv("LUNET_ASAN") and "env " or "env -u LD_PRELOAD ") .. "XDG_CACHE_HOME=" .. q(xdg)
        .. " HOME=/home/someone LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./?.so;;' lua5.4 -e "
        .. "'print(require(\"lunet.data\").default_mnist_dir())' 2>&1")
      local out = p:read("a")
      p:close()
      return out
    end
    assert.equal("/home/someone/.cache/lunet/mnist\n", dir("cache"))
    assert.equal("/home/someone/.cache/lunet/mnist\n", dir(""))
    assert.equal("/var/cache/u/lunet/mnist\n", dir("/var/cache/u/"))
  end)
end)
