-- lunet.data: MD5, the MNIST / Fashion-MNIST sets and downloading MNIST.
-- Fashion-MNIST comes from Debian's dataset-fashion-mnist (make deps); the
-- download is tested against a local `python3 -m http.server` serving the
-- Fashion-MNIST files under MNIST's names (which they share).
local data = require "lunet.data"
local core = require "lunet.core"
local H = require "spec.helpers"

local FASHION = "/usr/share/datasets/fashion-mnist/"
local q = data.shell_quote

-- The real files' sizes and digests (ls -l, md5sum).
local FASHION_FILES = {
  ["train-images-idx3-ubyte.gz"] = { size = 26421856, md5 = "cf8536b0aa1a6ac5fa3f23001093305c" },
  ["train-labels-idx1-ubyte.gz"] = { size = 29491, md5 = "10bea18fdb374794d4bb42e356e600c9" },
  ["t10k-images-idx3-ubyte.gz"] = { size = 4422079, md5 = "f78720b4224f21cce2f2ccf2d7a94c9a" },
  ["t10k-labels-idx1-ubyte.gz"] = { size = 5125, md5 = "0d30e22e447f3c33dab9ed536400ac01" },
}

-- Runs a shell command without the sanitizer runtime (which make asan
-- preloads into every child); returns ok and the output.
local function sh(cmd)
  local p = io.popen("env -u LD_PRELOAD sh -c " .. q(cmd) .. " 2>&1")
  local out = p:read("a")
  return p:close() == true, out
end

local function must(cmd)
  local ok, out = sh(cmd)
  assert(ok, cmd .. ": " .. out)
  return out
end

local function tmpdir()
  local d = H.tmpname("-data")
  must("mkdir -p " .. q(d))
  return d
end

local function listing(dir)
  return (must("ls -A " .. q(dir)):gsub("%s+$", ""))
end

-- A directory download_mnist made and then failed in is removed again.
local function gone(dir)
  return os.rename(dir, dir) == nil
end

-- Runs Lua code in a fresh lua5.4 with extra environment settings (a
-- string of NAME=value words for env); returns ok and the output.
local LUA = (select(2, sh("command -v lua5.4")):gsub("%s+$", ""))
local function lua_run(env, code)
  -- keeps LD_PRELOAD: under make asan the module needs it; the downloader's
  -- curl inherits the runtime too, so leak checks (of curl) are off there
  if os.getenv("LUNET_ASAN") then env = env .. " ASAN_OPTIONS=detect_leaks=0:halt_on_error=1" end
  local cmd = ("env %s LUA_PATH=%s LUA_CPATH=%s %s -e %s 2>&1"):format(env, q("lua/?.lua;lua/?/init.lua;;"),
    q("./?.so;;"), q(LUA), q(code))
  local p = io.popen(cmd)
  local out = p:read("a")
  return p:close() == true, out
end

local function idx_bytes(shape, values)
  local parts = { string.char(0, 0, 8, #shape) }
  for _, n in ipairs(shape) do parts[#parts + 1] = string.pack(">I4", n) end
  for _, v in ipairs(values) do parts[#parts + 1] = string.char(v) end
  return table.concat(parts)
end

-- A tiny data set in MNIST's layout: 10003 training images of 2x2 (so the
-- split leaves 3 for training), 5 test images; pixel value = label = i % 10.
-- The training images are gzip-compressed, the rest plain.
local function tiny_set(dir, train_n)
  train_n = train_n or 10003
  local function write_set(prefix, n, gz)
    local px, labels = {}, {}
    for i = 1, n do
      labels[i] = i % 10
      for _ = 1, 4 do px[#px + 1] = i % 10 end
    end
    local images = ("%s/%s-images-idx3-ubyte"):format(dir, prefix)
    H.write(images, idx_bytes({ n, 2, 2 }, px))
    if gz then must("gzip -n " .. q(images)) end
    H.write(("%s/%s-labels-idx1-ubyte"):format(dir, prefix), idx_bytes({ n }, labels))
  end
  write_set("train", train_n, true)
  write_set("t10k", 5, false)
  return dir
end

describe("md5", function()
  it("matches RFC 1321's test suite and the padding edges", function()
    assert.are.equal("d41d8cd98f00b204e9800998ecf8427e", core.md5(""))
    assert.are.equal("0cc175b9c0f1b6a831c399e269772661", core.md5("a"))
    assert.are.equal("900150983cd24fb0d6963f7d28e17f72", core.md5("abc"))
    assert.are.equal("f96b697d7cb7938d525a2f31aaf161d0", core.md5("message digest"))
    assert.are.equal("c3fcd3d76192e4007dfb496cca67e13b", core.md5("abcdefghijklmnopqrstuvwxyz"))
    assert.are.equal("d174ab98d277d9f5a5611c2c9f419d9f",
      core.md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    assert.are.equal("57edf4a22be3c955ac49da2e2107b67a", core.md5(("1234567890"):rep(8)))
    -- lengths around the 56-byte padding boundary and the block size; the
    -- digests come from Python's hashlib.md5 of bytes((i*7+3)%256 for i in range(n))
    local edges = {
      [55] = "52c0e574e1198de5fe3f8f11440dcb1b", [56] = "46c9907fc908ee68b1e7b8e71286a518",
      [63] = "a62f6d59e837867693f042f5b8f5a236", [64] = "7160b8fb5e9e4023d549c3971fbaeead",
      [65] = "70bd662e7aefbda85a0f7244167b7897", [119] = "e84905d4214f4d1ca56c2cdcc152b143",
      [120] = "e3eb5a6c8669ea01a8c185b8abc8a5dc", [128] = "10b2da1a82f16d99a81a7203fe9f02cb",
    }
    for n, want in pairs(edges) do
      local bytes = {}
      for i = 0, n - 1 do bytes[#bytes + 1] = string.char((i * 7 + 3) % 256) end
      assert.are.equal(want, core.md5(table.concat(bytes)), "length " .. n)
    end
    assert.are.equal("7707d6ae4e027c70eea2a935c2296f21", core.md5(("a"):rep(1000000)))
  end)

  it("hashes files in chunks", function()
    local path = H.tmpname(".bin")
    H.write(path, ("a"):rep(1000000))      -- sixteen 64 KiB chunks and a bit
    assert.are.equal("7707d6ae4e027c70eea2a935c2296f21", core.md5_file(path))
    H.write(path, "")
    assert.are.equal("d41d8cd98f00b204e9800998ecf8427e", core.md5_file(path))
    os.remove(path)
    assert.matches("cannot open /nonexistent/file", H.err(core.md5_file, "/nonexistent/file"))
    assert.matches("cannot open /tmp: not a regular file %(a directory%)", H.err(core.md5_file, "/tmp"))
    for name, want in pairs(FASHION_FILES) do
      assert.are.equal(want.md5, core.md5_file(FASHION .. name), name)
    end
  end)
end)

describe("data sets", function()
  local sets   -- Fashion-MNIST, loaded once
  local function fashion()
    if not sets then sets = { data.fashion_mnist() } end
    return table.unpack(sets)
  end
  local dirs = {}
  local function newdir()
    dirs[#dirs + 1] = tmpdir()
    return dirs[#dirs]
  end
  teardown(function()
    for _, d in ipairs(dirs) do sh("rm -rf " .. q(d)) end
  end)

  it("loads Fashion-MNIST with the book's split", function()
    local training, validation, test = fashion()
    assert.are.equal(50000, training.n)
    assert.are.equal(10000, validation.n)
    assert.are.equal(10000, test.n)
    assert.are.equal("fashion-mnist training", training.name)
    assert.are.equal("fashion-mnist validation", validation.name)
    assert.are.equal("fashion-mnist test", test.name)
    for _, set in ipairs { training, validation, test } do
      assert.are.same({ set.n, 784 }, set.x:shape())
      assert.are.same({ set.n }, set.y:shape())
      assert.are.equal("float32", set.x:dtype())
      assert.are.equal("float32", set.y:dtype())
      assert.are.equal(0, set.y:min())
      assert.are.equal(9, set.y:max())
      assert.are.equal(0, set.x:min())
      assert.are.equal(1, set.x:max())
    end
    -- training and validation are views of one tensor
    assert.is_true(training.x:shares_storage(validation.x))
    assert.is_true(training.y:shares_storage(validation.y))
    assert.is_false(training.x:shares_storage(test.x))
    -- label sums from numpy: 270000 over the 60000, 44685 of them in the last 10000
    assert.are.equal(270000 - 44685, training.y:sum())
    assert.are.equal(44685, validation.y:sum())
    assert.are.equal(45000, test.y:sum())
    assert.are.equal(9, training.y[1])
  end)

  it("makes the first validation image image 50,001 of the file", function()
    local _, validation = fashion()
    local raw = data.load_idx(FASHION .. "train-images-idx3-ubyte.gz", 1 / 255)
    local want = raw:select(1, 50001)
    assert.are.same(H.flat(want:totable()), validation.x:select(1, 1):totable())
    raw:close()
    -- its pixel bytes sum to 50221 and its label is 9 (numpy: tr[50000], tl[50000])
    H.near(50221, validation.x:select(1, 1):sum() * 255, 1e-6)
    assert.are.equal(9, validation.y[1])
  end)

  it("finds the files in opts.dir, plain or gzip, and checks they match", function()
    local dir = tiny_set(newdir())
    local training, validation, test = data.mnist { dir = dir }
    assert.are.same({ 3, 4 }, training.x:shape())
    assert.are.same({ 10000, 4 }, validation.x:shape())
    assert.are.same({ 5, 4 }, test.x:shape())
    assert.are.same({ 1, 2, 3 }, training.y:totable())
    H.near(H.map({ { 1, 1, 1, 1 }, { 2, 2, 2, 2 }, { 3, 3, 3, 3 } }, function(v) return v / 255 end), training.x, 1e-7)
    H.near(3 / 255, validation.x:select(1, 10000):select(1, 1), 1e-7)  -- image 10003: 3
    assert.are.same({ 1, 2, 3, 4, 5 }, test.y:totable())
    assert.are.equal("mnist test", test.name)
    -- load() dispatches by name
    local f = data.load("fashion", { dir = dir })
    assert.are.equal("fashion-mnist training", f.name)
    assert.are.equal("mnist validation", select(2, data.load("mnist", { dir = dir })).name)
    assert.matches('unknown data set "digits": expected "mnist" or "fashion"', H.err(data.load, "digits"))
    -- labels that do not match the images
    local bad = tiny_set(newdir())
    H.write(bad .. "/t10k-labels-idx1-ubyte", idx_bytes({ 4 }, { 1, 2, 3, 4 }))
    assert.matches("do not match: images 5x2x2, labels 4", H.err(data.mnist, { dir = bad }))
    local few = tiny_set(newdir(), 10000)
    assert.matches("holds 10000 images; the split needs more than 10000", H.err(data.mnist, { dir = few }))
  end)

  it("looks in $LUNET_MNIST_DIR, then the XDG or HOME cache", function()
    local code = "local t, v, s = require('lunet.data').mnist(); print(t.n, v.n, s.n)"
    local env_dir = tiny_set(newdir())
    local ok, out = lua_run("LUNET_MNIST_DIR=" .. q(env_dir) .. " HOME=/nonexistent", code)
    assert.is_true(ok, out)
    assert.are.equal("3\t10000\t5\n", out)
    local xdg = newdir()
    must("mkdir -p " .. q(xdg .. "/lunet/mnist"))
    tiny_set(xdg .. "/lunet/mnist")
    -- an incomplete LUNET_MNIST_DIR is passed over
    local partial = newdir()
    H.write(partial .. "/t10k-labels-idx1-ubyte", "x")
    ok, out = lua_run("LUNET_MNIST_DIR=" .. q(partial) .. " XDG_CACHE_HOME=" .. q(xdg), code)
    assert.is_true(ok, out)
    assert.are.equal("3\t10000\t5\n", out)
    local home = newdir()
    must("mkdir -p " .. q(home .. "/.cache/lunet/mnist"))
    tiny_set(home .. "/.cache/lunet/mnist")
    ok, out = lua_run("-u LUNET_MNIST_DIR -u XDG_CACHE_HOME HOME=" .. q(home), code)
    assert.is_true(ok, out)
    assert.are.equal("3\t10000\t5\n", out)
    -- nothing anywhere: every place is listed
    ok, out = lua_run("LUNET_MNIST_DIR=" .. q(partial) .. " XDG_CACHE_HOME=/nonexistent/xdg", code)
    assert.is_false(ok)
    assert.matches("MNIST not found. Looked in:\n  " .. partial:gsub("%p", "%%%0") .. " %(%$LUNET_MNIST_DIR%) " ..
      "%(missing train%-images%-idx3%-ubyte, train%-labels%-idx1%-ubyte, t10k%-images%-idx3%-ubyte%)\n" ..
      "  /nonexistent/xdg/lunet/mnist %(the default cache%)\n", out)
    ok, out = lua_run("LUNET_FASHION_DIR=" .. q(env_dir),
      "local t = require('lunet.data').fashion_mnist(); print(t.name, t.n)")
    assert.is_true(ok, out)
    assert.are.equal("fashion-mnist training\t3\n", out)
  end)

  it("says how to get missing data", function()
    local msg = H.err(data.fashion_mnist, { dir = "/nonexistent" })
    assert.matches("Fashion%-MNIST not found. Looked in:\n  /nonexistent %(opts.dir%)", msg)
    assert.matches("sudo apt-get install dataset-fashion-mnist", msg, 1, true)
    msg = H.err(data.mnist, { dir = "/nonexistent" })
    assert.matches("MNIST not found", msg)
    assert.matches("make mnist", msg, 1, true)
    assert.matches("download_mnist()", msg, 1, true)
    assert.matches("opts.dir must be a string", H.err(data.mnist, { dir = 5 }))
  end)

  it("names the classes", function()
    assert.are.same({ "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }, data.classes("mnist"))
    local names = data.classes("fashion")
    assert.are.equal(10, #names)
    assert.are.equal("T-shirt/top", names[1])
    assert.are.equal("Ankle boot", names[10])
    assert.are.equal("Sneaker", names[8])
    names[1] = "changed"
    assert.are.equal("T-shirt/top", data.classes("fashion")[1])
    assert.matches("unknown data set", H.err(data.classes, "cifar"))
  end)

  it("quotes shell arguments", function()
    for _, s in ipairs { "plain", "it's", "$HOME `id` \"x\" \\n", "", "a'b'c''" } do
      local ok, out = sh("printf %s " .. q(s))
      assert.is_true(ok)
      assert.are.equal(s, out)
    end
  end)
end)

describe("download_mnist", function()
  local root, port, pid, log, ready, why
  local dirs = {}
  local function newdir()
    dirs[#dirs + 1] = H.tmpname("-dl")   -- not created: download_mnist makes it
    return dirs[#dirs]
  end
  local function gets(pattern)
    local n = 0
    for line in io.lines(log) do
      if line:find("GET", 1, true) and line:find(pattern, 1, true) then n = n + 1 end
    end
    return n
  end
  local function only(name)
    return { [name] = FASHION_FILES[name] }
  end
  -- a files table as Lua source, for lua_run
  local function files_lua(files)
    local parts = {}
    for name, want in pairs(files) do
      parts[#parts + 1] = ("[%q] = { size = %d, md5 = %q }"):format(name, want.size, want.md5)
    end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end

  setup(function()
    if not sh("command -v python3") then
      why = "python3 is not on the PATH: these specs serve files with python3 -m http.server"
      return
    end
    root = tmpdir()
    log = root .. "/server.log"
    must(("mkdir -p %s/www/good %s/www/bad"):format(q(root), q(root)))
    for name in pairs(FASHION_FILES) do
      must(("ln -s %s %s"):format(q(FASHION .. name), q(root .. "/www/good/" .. name)))
    end
    -- the same size as the real labels file, one byte changed
    local labels = H.read(FASHION .. "t10k-labels-idx1-ubyte.gz")
    local mid = #labels // 2
    H.write(root .. "/www/bad/t10k-labels-idx1-ubyte.gz",
      labels:sub(1, mid - 1) .. string.char(labels:byte(mid) ~ 0xFF) .. labels:sub(mid + 1))
    -- port 0: the server picks a free port and says which (-u: unbuffered)
    local p = io.popen(("env -u LD_PRELOAD python3 -u -m http.server 0 --bind 127.0.0.1 --directory %s >%s 2>&1 & "
      .. "echo $!"):format(q(root .. "/www"), q(log)))
    pid = tonumber(p:read("a"):match("%d+"))
    p:close()
    for _ = 1, 200 do
      port = port or tonumber(H.read(log):match("port (%d+)"))
      if port and sh(("curl -fs -o /dev/null http://127.0.0.1:%d/"):format(port)) then
        ready = true
        break
      end
      sh("sleep 0.05")
    end
    why = ready and nil or "the local server did not answer within 10 s: " .. H.read(log)
  end)

  teardown(function()
    if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
    for _, d in ipairs(dirs) do sh("rm -rf " .. q(d)) end
    if root then sh("rm -rf " .. q(root)) end
  end)

  local function url(sub) return ("http://127.0.0.1:%d/%s/"):format(port, sub) end

  it("reuses the one temporary a killed download left, and never follows a link there", function()
    assert(ready, why)
    local dir = newdir()
    must("mkdir -p " .. q(dir))
    local name = "t10k-labels-idx1-ubyte.gz"
    local outside = dir .. "/outside"
    H.write(outside, "keep me")
    H.write(dir .. "/." .. name .. ".lunet-part", "half a download")
    data.download_mnist { dir = dir, base_urls = { url("good") }, files = only(name), quiet = true }
    assert.are.equal("outside\n" .. name, listing(dir))
    os.remove(dir .. "/" .. name)
    must(("ln -s %s %s"):format(q(outside), q(dir .. "/." .. name .. ".lunet-part")))
    data.download_mnist { dir = dir, base_urls = { url("good") }, files = only(name), quiet = true }
    assert.are.equal("keep me", H.read(outside))
    assert.are.equal("outside\n" .. name, listing(dir))
    assert.are.equal(FASHION_FILES[name].md5, core.md5_file(dir .. "/" .. name))
  end)

  it("downloads, checks and renames the files into place, then skips them", function()
    assert(ready, why)
    local dir = newdir() .. "/it's a dir"
    local start = gets("/good/")
    local got = data.download_mnist { dir = dir, base_urls = { url("good") }, files = FASHION_FILES, quiet = true }
    assert.are.equal(dir, got)
    assert.are.equal("t10k-images-idx3-ubyte.gz\nt10k-labels-idx1-ubyte.gz\n" ..
      "train-images-idx3-ubyte.gz\ntrain-labels-idx1-ubyte.gz", listing(dir))
    for name, want in pairs(FASHION_FILES) do assert.are.equal(want.md5, core.md5_file(dir .. "/" .. name)) end
    local training, validation, test = data.mnist { dir = dir }
    assert.are.equal("mnist training", training.name)
    assert.are.same({ 50000, 784 }, training.x:shape())
    assert.are.equal(10000, validation.n)
    assert.are.equal(10000, test.n)
    -- a second call fetches nothing and leaves the files alone
    local inodes = must("ls -i " .. q(dir))
    local before = gets("/good/")
    assert.are.equal(start + 4, before)
    data.download_mnist { dir = dir, base_urls = { url("good") }, files = FASHION_FILES, quiet = true }
    assert.are.equal(before, gets("/good/"))
    assert.are.equal(inodes, must("ls -i " .. q(dir)))
    -- one file gone: only it is fetched again; progress is one line per file
    os.remove(dir .. "/t10k-labels-idx1-ubyte.gz")
    local ok, out = lua_run("", ("require('lunet.data').download_mnist { dir = %q, base_urls = { %q }, files = %s }")
      :format(dir, url("good"), files_lua(FASHION_FILES)))
    assert.is_true(ok, out)
    assert.are.equal(before + 1, gets("/good/"))
    assert.are.equal(table.concat({
      "t10k-images-idx3-ubyte.gz: present, size and md5 check",
      "t10k-labels-idx1-ubyte.gz: downloaded from " .. url("good") .. "t10k-labels-idx1-ubyte.gz",
      "train-images-idx3-ubyte.gz: present, size and md5 check",
      "train-labels-idx1-ubyte.gz: present, size and md5 check", "",
    }, "\n"), out)
  end)

  it("rejects a corrupted file, leaving nothing behind, and tries the next mirror", function()
    assert(ready, why)
    local name = "t10k-labels-idx1-ubyte.gz"
    local dir = newdir()
    local bad_md5 = core.md5_file(root .. "/www/bad/" .. name)
    local msg = H.err(data.download_mnist, { dir = dir, base_urls = { url("bad") }, files = only(name), quiet = true })
    assert.matches("could not get " .. name, msg, 1, true)
    assert.matches("expected size 5125, md5 0d30e22e447f3c33dab9ed536400ac01", msg, 1, true)
    assert.matches(url("bad") .. name .. ": md5 " .. bad_md5 .. " expected 0d30e22e447f3c33dab9ed536400ac01",
      msg, 1, true)
    assert.is_true(gone(dir), dir)
    -- the bad mirror first, then the good one
    local before = gets("/good/" .. name)
    data.download_mnist { dir = dir, base_urls = { url("bad"), url("good") }, files = only(name), quiet = true }
    assert.are.equal(name, listing(dir))
    assert.are.equal(before + 1, gets("/good/" .. name))
    assert.are.equal(FASHION_FILES[name].md5, core.md5_file(dir .. "/" .. name))
    -- a damaged local copy is replaced
    H.write(dir .. "/" .. name, "damaged")
    data.download_mnist { dir = dir, base_urls = { url("good") }, files = only(name), quiet = true }
    assert.are.equal(FASHION_FILES[name].md5, core.md5_file(dir .. "/" .. name))
  end)

  it("reports a missing file (404) with every mirror tried", function()
    assert(ready, why)
    local dir = newdir()
    local msg = H.err(data.download_mnist, { dir = dir, base_urls = { url("nothing"), url("none") .. "/" },
      files = only("t10k-labels-idx1-ubyte.gz"), quiet = true })
    assert.matches("could not get t10k-labels-idx1-ubyte.gz", msg, 1, true)
    local tried = (url("nothing") .. "t10k-labels-idx1-ubyte.gz: "):gsub("%p", "%%%0")
    assert.matches(tried .. "curl: %(22%) [^\n]*404", msg)
    assert.matches(url("none") .. "t10k-labels-idx1-ubyte.gz: ", msg, 1, true)
    assert.is_true(gone(dir), dir)
  end)

  it("keeps a directory it did not make, empty, after a failure", function()
    assert(ready, why)
    local dir = newdir()
    must("mkdir -p " .. q(dir))
    H.err(data.download_mnist, { dir = dir, base_urls = { url("nothing") },
      files = only("t10k-labels-idx1-ubyte.gz"), quiet = true })
    assert.are.equal("", listing(dir))
  end)

  it("checks against MNIST's published sizes and digests by default", function()
    assert(ready, why)
    local dir = newdir()
    local msg = H.err(data.download_mnist, { dir = dir, base_urls = { url("good") }, quiet = true })
    -- the first file in name order is t10k-images: Fashion's is 4422079 bytes
    assert.matches("could not get t10k-images-idx3-ubyte.gz (expected size 1648877, md5 " ..
      "9fb629c4189551a2d022fa330f9573f3)", msg, 1, true)
    assert.matches("size 4422079 expected 1648877", msg, 1, true)
    assert.is_true(gone(dir), dir)
    assert.are.same({ size = 4542, md5 = "ec29112dd5afa0611ce80d1b7f02629c" },
      data.MNIST_FILES["t10k-labels-idx1-ubyte.gz"])
    assert.matches("opts.files must map", H.err(data.download_mnist, { dir = dir, files = { x = 1 } }))
    assert.matches("opts.base_urls must be a list", H.err(data.download_mnist, { dir = dir, base_urls = {} }))
  end)

  it("falls back to wget, and says when neither curl nor wget is there", function()
    assert(ready, why)
    local bin = newdir()
    must("mkdir -p " .. q(bin))
    for _, tool in ipairs { "wget", "mkdir" } do
      must(("ln -s \"$(command -v %s)\" %s"):format(tool, q(bin .. "/" .. tool)))
    end
    local dir = newdir()
    local code = ("require('lunet.data').download_mnist { dir = %q, base_urls = { %q }, quiet = true, files = %s }")
      :format(dir, url("good"), files_lua(only("t10k-labels-idx1-ubyte.gz")))
    local ok, out = lua_run("PATH=" .. q(bin), code)
    assert.is_true(ok, out)
    assert.are.equal("0d30e22e447f3c33dab9ed536400ac01", core.md5_file(dir .. "/t10k-labels-idx1-ubyte.gz"))
    ok, out = lua_run("PATH=/nonexistent", code)
    assert.is_false(ok)
    assert.matches("neither curl nor wget was found", out, 1, true)
  end)
end)
