-- Hostile files: FIFOs, directories, devices, sockets, missing and empty
-- files given to every reader; saves over things that are not files, into
-- places that cannot be written, under different umasks, beside stray and
-- locked temporaries; download file names that leave their directory.
-- Calls that could block (a FIFO) run in a child interpreter under
-- `timeout 10`, so a hang fails the spec instead of stopping the suite.
local lunet = require "lunet"
local core = require "lunet.core"
local data = require "lunet.data"
local H = require "spec.helpers"

local q = data.shell_quote

-- A shell command without the sanitizer runtime (make asan preloads it
-- into every child); returns ok and the output.
local function sh(cmd)
  local p = io.popen("env -u LD_PRELOAD sh -c " .. q(cmd) .. " 2>&1")
  local out = p:read("a")
  return p:close() == true, out
end

local function must(cmd)
  local ok, out = sh(cmd)
  assert(ok, cmd .. ": " .. out)
  return (out:gsub("%s+$", ""))
end

local LUA = must("command -v lua5.4")

-- Runs Lua code in a fresh interpreter under `timeout 10` (keeping
-- LD_PRELOAD: under make asan the module needs it), after `prefix` (shell,
-- e.g. "umask 077;"); returns ok and the output. The code prints what the
-- parent checks.
local function child(code, prefix)
  local cmd = ("%s LUA_PATH=%s LUA_CPATH=%s timeout 10 %s -e %s 2>&1; echo \"exit=$?\"")
    :format(prefix or "", q("lua/?.lua;lua/?/init.lua;;"), q("./?.so;;"), q(LUA), q(code))
  local p = io.popen("sh -c " .. q(cmd))
  local out = p:read("a")
  p:close()
  local status = tonumber(out:match("exit=(%d+)%s*$"))
  return status == 0, out, status
end

-- The error a loader gives in a child, which must end promptly.
local function child_error(expr)
  local ok, out, status = child(("local lunet = require 'lunet'; local core = require 'lunet.core'; "
    .. "local ok, e = pcall(function() return %s end); print(ok and 'NO ERROR' or e)"):format(expr))
  assert(ok, ("the child did not end cleanly (status %s, 124 = hung): %s"):format(tostring(status), out))
  return out
end

local dirs = {}
local function tmpdir()
  local d = H.tmpname("-hostile")
  must("mkdir -p " .. q(d))
  dirs[#dirs + 1] = d
  return d
end

local function listing(dir)
  local names = {}
  for name in must("ls -A " .. q(dir)):gmatch("[^\n]+") do names[#names + 1] = name end
  table.sort(names)
  return names
end

local function mode_of(path)
  return must("stat -c %a " .. q(path))
end

local function small_net(seed)
  lunet.seed(seed or 1)
  return lunet.Network { 3, 4, 2 }
end

local function same_params(a, b)
  local pa, pb = a:net():info(), b:net():info()
  assert.same(pa.input, pb.input)
  for l = 1, #a.weights do
    assert.same(a.weights[l]:totable(), b.weights[l]:totable())
    assert.same(a.biases[l]:totable(), b.biases[l]:totable())
  end
end

teardown(function()
  for _, d in ipairs(dirs) do sh("rm -rf " .. q(d)) end
end)

-- Every reader of a path, as Lua source taking the path from P.
local READERS = {
  { "load_idx", "core.load_idx(P)" },
  { "load_idx of a .gz name", "core.load_idx(P)", ".gz" },
  { "load_npy", "lunet.load_npy(P)" },
  { "lunet.load (model file)", "lunet.load(P)" },
  { "md5_file", "core.md5_file(P)" },
  { "read_file", "core.read_file(P)" },
  { "Network.load_json", "lunet.Network.load_json(P)" },
}

local function reader_call(r, path)
  return (r[2]:gsub("P", ("%q"):format(path)))
end

describe("a FIFO given to a reader", function()
  for _, r in ipairs(READERS) do
    it(r[1] .. " is refused at once, not waited on", function()
      local fifo = tmpdir() .. "/pipe" .. (r[3] or "")
      must("mkfifo " .. q(fifo))
      local out = child_error(reader_call(r, fifo))
      assert.matches("not a regular file %(a fifo%)", out)
    end)
  end

  it("in place of the MNIST files: data.mnist says they are not found", function()
    local dir = tmpdir()
    for _, name in ipairs { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
      "t10k-labels-idx1-ubyte" } do
      must("mkfifo " .. q(dir .. "/" .. name))
    end
    local out = child_error(("require('lunet.data').mnist { dir = %q }"):format(dir))
    assert.matches("MNIST not found", out)
  end)
end)

describe("a directory given to a reader", function()
  for _, r in ipairs(READERS) do
    it(r[1] .. " is refused", function()
      local dir = tmpdir() .. "/sub" .. (r[3] or "")
      must("mkdir " .. q(dir))
      assert.matches("not a regular file %(a directory%)", child_error(reader_call(r, dir)))
    end)
  end
end)

describe("a device given to a reader", function()
  for _, r in ipairs(READERS) do
    it(r[1] .. " refuses /dev/zero (which never ends)", function()
      assert.matches("not a regular file %(a character device%)", child_error(reader_call(r, "/dev/zero")))
    end)
  end

  it("/dev/null is refused too, rather than read as an empty file", function()
    assert.matches("not a regular file", H.err(core.md5_file, "/dev/null"))
    assert.matches("not a regular file", H.err(lunet.load, "/dev/null"))
  end)
end)

describe("a Unix socket given to a reader", function()
  it("is refused with what it is", function()
    if not sh("command -v python3") then return pending("python3 makes the socket") end
    local path = tmpdir() .. "/sock"
    must(("/usr/bin/python3 -c %s"):format(q(("import socket; socket.socket(socket.AF_UNIX).bind(%q)")
      :format(path))))
    for _, r in ipairs(READERS) do
      if not r[3] then assert.matches("not a regular file %(a socket%)", child_error(reader_call(r, path))) end
    end
  end)
end)

describe("missing and empty files", function()
  for _, r in ipairs(READERS) do
    it(r[1] .. " of a missing file names it", function()
      local path = tmpdir() .. "/missing" .. (r[3] or "")
      local out = child_error(reader_call(r, path))
      assert.matches("No such file or directory", out)
      assert.truthy(out:find(path, 1, true))
    end)
  end

  it("an empty file is a format error for every parser, and has the empty digest", function()
    local path = tmpdir() .. "/empty"
    H.write(path, "")
    assert.matches("not an IDX file", H.err(core.load_idx, path))
    assert.matches("npy", H.err(lunet.load_npy, path))
    assert.matches("not a lunet model file", H.err(lunet.load, path))
    assert.matches("json", H.err(lunet.Network.load_json, path))
    assert.equal("d41d8cd98f00b204e9800998ecf8427e", core.md5_file(path))
    assert.equal("", core.read_file(path))
  end)

  it("read_file returns every byte, NULs included", function()
    local path = tmpdir() .. "/bytes"
    local bytes = {}
    for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
    H.write(path, table.concat(bytes):rep(300))
    assert.equal(table.concat(bytes):rep(300), core.read_file(path))
  end)

  it("file_kind tells what is there without opening it", function()
    local dir = tmpdir()
    must(("mkfifo %s; : > %s"):format(q(dir .. "/p"), q(dir .. "/f")))
    H.write(dir .. "/f", "12345")
    assert.same({ "fifo", 0 }, { core.file_kind(dir .. "/p") })
    assert.same({ "file", 5 }, { core.file_kind(dir .. "/f") })
    assert.equal("directory", (core.file_kind(dir)))
    assert.equal("character device", (core.file_kind("/dev/zero")))
    local none, why = core.file_kind(dir .. "/none")
    assert.is_nil(none)
    assert.matches("No such file", why)
  end)
end)

describe("saving over what is not a regular file", function()
  it("a FIFO target is refused promptly and stays a FIFO", function()
    local dir = tmpdir()
    must("mkfifo " .. q(dir .. "/m.lunet"))
    local out = child_error(("lunet.Network { 3, 2 }:save(%q)"):format(dir .. "/m.lunet"))
    assert.matches("cannot save over .*not a regular file %(a fifo%)", out)
    assert.equal("fifo", (core.file_kind(dir .. "/m.lunet")))
    assert.same({ "m.lunet" }, listing(dir))
  end)

  it("/dev/null and /dev/zero are refused, and stay devices", function()
    assert.matches("cannot save over /dev/null: not a regular file", H.err(function()
      small_net():save("/dev/null")
    end))
    assert.matches("cannot save over /dev/zero", H.err(lunet.save_npy, "/dev/zero", lunet.zeros(2)))
    assert.equal("character device", (core.file_kind("/dev/null")))
    assert.equal("character device", (core.file_kind("/dev/zero")))
  end)

  it("a directory target is refused, for models and .npy", function()
    local dir = tmpdir()
    must("mkdir " .. q(dir .. "/d"))
    assert.matches("not a regular file %(a directory%)", H.err(function() small_net():save(dir .. "/d") end))
    assert.matches("not a regular file %(a directory%)", H.err(lunet.save_npy, dir .. "/d", lunet.zeros(2)))
    assert.same({ "d" }, listing(dir))
  end)

  it("a path that does not end in a file name is refused", function()
    local dir = tmpdir()
    for _, path in ipairs { dir .. "/", dir .. "/.", dir .. "/..", "" } do
      assert.matches("does not end in a file name", H.err(function() small_net():save(path) end), path)
    end
    assert.same({}, listing(dir))
  end)

  it("a FIFO at the temporary's name makes the save fail promptly, target intact", function()
    local dir = tmpdir()
    local ok, out = child(("local n = require('lunet').Network { 3, 2 }; n:save(%q); print('saved')")
      :format(dir .. "/m.lunet"))
    assert(ok and out:find("saved"), out)
    local before = core.md5_file(dir .. "/m.lunet")
    must("mkfifo " .. q(dir .. "/.m.lunet.lunet-tmp"))
    out = child_error(("lunet.Network { 3, 2 }:save(%q)"):format(dir .. "/m.lunet"))
    assert.matches("cannot write .*m%.lunet", out)
    assert.equal(before, core.md5_file(dir .. "/m.lunet"))
  end)

  it("a symbolic link at the temporary's name is not followed", function()
    local dir = tmpdir()
    H.write(dir .. "/victim", "keep me")
    must(("ln -s victim %s"):format(q(dir .. "/.m.lunet.lunet-tmp")))
    assert.matches("cannot write", H.err(function() small_net():save(dir .. "/m.lunet") end))
    assert.equal("keep me", H.read(dir .. "/victim"))
    assert.is_nil(core.file_kind(dir .. "/m.lunet"))
  end)
end)

describe("saving where nothing can be written", function()
  it("into a missing directory: an error naming the file, nothing made", function()
    local dir = tmpdir()
    local err = H.err(function() small_net():save(dir .. "/no/such/m.lunet") end)
    assert.matches("cannot write " .. dir:gsub("%p", "%%%0") .. "/no/such/m%.lunet", err)
    assert.matches("No such file or directory", err)
    assert.matches("No such file", H.err(lunet.save_npy, dir .. "/no/x.npy", lunet.zeros(2)))
    assert.same({}, listing(dir))
  end)

  it("into /proc, which refuses even root", function()
    assert.matches("cannot write /proc/lunet%-test%.lunet", H.err(function()
      small_net():save("/proc/lunet-test.lunet")
    end))
  end)
end)

describe("atomic saves", function()
  it("leave only the target, which loads as saved", function()
    local dir = tmpdir()
    local net = small_net(3)
    net:save(dir .. "/m.lunet")
    net:save(dir .. "/m.lunet")
    lunet.save_npy(dir .. "/t.npy", lunet.arange(6):view(2, 3))
    assert.same({ "m.lunet", "t.npy" }, listing(dir))
    same_params(net, lunet.load(dir .. "/m.lunet"))
    assert.same({ { 0, 1, 2 }, { 3, 4, 5 } }, lunet.load_npy(dir .. "/t.npy"):totable())
  end)

  it("take a killed save's stray temporary with them", function()
    local dir = tmpdir()
    local stray = dir .. "/.m.lunet.lunet-tmp"
    H.write(stray, ("half a model "):rep(1000))
    local net = small_net(4)
    net:save(dir .. "/m.lunet")
    assert.same({ "m.lunet" }, listing(dir))
    same_params(net, lunet.load(dir .. "/m.lunet"))
  end)

  it("replace the old file only when complete: an old copy stays loadable beside a stray", function()
    local dir = tmpdir()
    local old = small_net(5)
    old:save(dir .. "/m.lunet")
    H.write(dir .. "/.m.lunet.lunet-tmp", "LUNET")   -- what a save killed while writing leaves
    same_params(old, lunet.load(dir .. "/m.lunet"))
    local new = small_net(6)
    new:save(dir .. "/m.lunet")
    same_params(new, lunet.load(dir .. "/m.lunet"))
    assert.same({ "m.lunet" }, listing(dir))
  end)

  it("refuse a second save of the same target while one holds the temporary", function()
    local dir = tmpdir()
    local old = small_net(7)
    old:save(dir .. "/m.lunet")
    local tmp = dir .. "/.m.lunet.lunet-tmp"
    H.write(tmp, "")
    -- flock(1) holds the same kind of lock a save in progress holds
    local holder = io.popen(("env -u LD_PRELOAD flock -n %s -c 'echo locked; sleep 3'"):format(q(tmp)))
    assert.equal("locked", holder:read("l"))
    local err = H.err(function() small_net(8):save(dir .. "/m.lunet") end)
    holder:close()
    assert.matches("another save of the same file is in progress", err)
    same_params(old, lunet.load(dir .. "/m.lunet"))
    local new = small_net(8)
    new:save(dir .. "/m.lunet")     -- the lock is gone: the stray is reused
    same_params(new, lunet.load(dir .. "/m.lunet"))
    assert.same({ "m.lunet" }, listing(dir))
  end)

  it("work with a bare file name, in the current directory", function()
    local dir = tmpdir()
    local ok, out = child(("local lunet = require('lunet'); lunet.seed(9); lunet.Network { 3, 2 }:save('m.lunet'); "
      .. "print(#lunet.load('m.lunet').weights)"), "cd " .. q(dir) .. " && ln -s " .. q(must("pwd") .. "/lua") ..
      " lua && ln -s " .. q(must("pwd") .. "/lunet") .. " lunet &&")
    assert(ok, out)
    assert.matches("^1", out)
    assert.same({ "lua", "lunet", "m.lunet" }, listing(dir))
  end)
end)

describe("saved files get the user's umask", function()
  local function save_under(mask, expr)
    local dir = tmpdir()
    local ok, out = child(("local lunet = require('lunet'); local P = %q; %s; print('saved')")
      :format(dir .. "/out", expr), ("umask %s;"):format(mask))
    assert(ok and out:find("saved"), out)
    return mode_of(dir .. "/out"), dir
  end

  it("0644 under umask 022 (a model)", function()
    assert.equal("644", (save_under("022", "lunet.Network { 3, 2 }:save(P)")))
  end)

  it("0600 under umask 077 (a model)", function()
    assert.equal("600", (save_under("077", "lunet.Network { 3, 2 }:save(P)")))
  end)

  it("0640 under umask 027, and .npy files alike", function()
    assert.equal("640", (save_under("027", "lunet.save_npy(P, lunet.zeros(3))")))
    assert.equal("644", (save_under("022", "lunet.save_npy(P, lunet.zeros(3))")))
  end)

  it("from the umask of this save, not of the stray temporary it reuses", function()
    local dir = tmpdir()
    H.write(dir .. "/.out.lunet-tmp", "stray")
    must("chmod 600 " .. q(dir .. "/.out.lunet-tmp"))
    local ok, out = child(("require('lunet').Network { 3, 2 }:save(%q); print('saved')"):format(dir .. "/out"),
      "umask 022;")
    assert(ok and out:find("saved"), out)
    assert.equal("644", mode_of(dir .. "/out"))
    assert.same({ "out" }, listing(dir))
  end)

  it("not from the file it replaces", function()
    local dir = tmpdir()
    H.write(dir .. "/out", "old")
    must("chmod 600 " .. q(dir .. "/out"))
    local ok, out = child(("require('lunet').Network { 3, 2 }:save(%q); print('saved')"):format(dir .. "/out"),
      "umask 022;")
    assert(ok and out:find("saved"), out)
    assert.equal("644", mode_of(dir .. "/out"))
  end)
end)

describe("download file names", function()
  -- the names are checked before any directory is made or URL fetched: the
  -- mirror is a port nothing listens on
  local function download(name)
    local dir = H.tmpname("-dlname")
    dirs[#dirs + 1] = dir
    local err = H.err(data.download_mnist, { dir = dir, base_urls = { "http://127.0.0.1:9/" }, quiet = true,
      files = { [name] = { size = 1, md5 = ("0"):rep(32) } } })
    assert.is_nil(core.file_kind(dir), "the directory was made for " .. name)
    return err
  end

  for _, name in ipairs { "../evil", "a/b", "/etc/passwd", "..", ".", "", "a\0b", "line\nbreak", "tab\tname",
    "sub/../../x" } do
    it(("%q is refused"):format(name), function()
      assert.matches("not a plain file name", download(name))
    end)
  end

  it("a list with one bad name fetches none of the others", function()
    local dir = H.tmpname("-dlname")
    dirs[#dirs + 1] = dir
    local err = H.err(data.download_mnist, { dir = dir, base_urls = { "http://127.0.0.1:9/" }, quiet = true,
      files = { ["good.gz"] = { size = 1, md5 = ("0"):rep(32) }, ["../bad.gz"] = { size = 1, md5 = ("0"):rep(32) } } })
    assert.matches("\"%.%./bad%.gz\" is not a plain file name", err)
    assert.is_nil(core.file_kind(dir))
  end)

  it("names with dots that stay in the directory are plain", function()
    -- reaches the fetch, which fails on the closed port: the name was accepted
    local dir = H.tmpname("-dlname")
    dirs[#dirs + 1] = dir
    local err = H.err(data.download_mnist, { dir = dir, base_urls = { "http://127.0.0.1:9/" }, quiet = true,
      files = { ["..hidden..gz"] = { size = 1, md5 = ("0"):rep(32) } } })
    assert.matches("could not get %.%.hidden%.%.gz", err)
    assert.is_nil(core.file_kind(dir))   -- nothing left behind, the directory it made included
  end)
end)
