-- lunet.data: the MNIST and Fashion-MNIST data sets, and IDX files.
--
--   local data = require "lunet.data"
--   local training, validation, test = data.mnist()
--   -- training.x: Tensor(50000, 784) float32 pixels in [0, 1]
--   -- training.y: Tensor(50000) float32 labels 0..9
--
-- Each of the three sets is a table { x = Tensor(N, 784), y = Tensor(N),
-- n = N, name = "mnist training" }. x holds one image per row (28x28
-- pixels, row by row, scaled from 0..255 to [0, 1]); y holds the class
-- number as a float, 0-based: the digit itself for MNIST, an index into
-- data.classes("fashion") (0 = T-shirt/top ... 9 = Ankle boot) for
-- Fashion-MNIST; add 1 to index a Lua table of names.
--
-- The split is the one of Nielsen's book: training is the first 50,000 of
-- the 60,000 training images, validation the last 10,000 (both are narrow
-- views of one loaded tensor, not copies), test the 10,000 t10k images.
--
-- Where the files are looked for, in order (the first place holding all
-- four files wins; each file may be gzip-compressed, name.gz, or not):
--   MNIST:          opts.dir if given (then nowhere else);
--                   $LUNET_MNIST_DIR;
--                   $XDG_CACHE_HOME/lunet/mnist when XDG_CACHE_HOME is set
--                   (to an absolute path),
--                   else $HOME/.cache/lunet/mnist.
--                   Get the files with `make mnist` in the source tree or
--                   require("lunet.data").download_mnist().
--   Fashion-MNIST:  opts.dir if given (then nowhere else);
--                   $LUNET_FASHION_DIR;
--                   /usr/share/datasets/fashion-mnist, where Debian's
--                   package puts it: sudo apt-get install dataset-fashion-mnist
-- When both name and name.gz are present, the uncompressed one is used.
--
-- download_mnist{ dir =, base_urls =, files =, quiet = } fetches the four
-- MNIST files (with curl, else wget) into dir (default: the cache above),
-- trying data.MNIST_MIRRORS in order; each file goes to a temporary name,
-- is checked against data.MNIST_FILES (size, then MD5) and only then
-- renamed into place. Files already present and correct are skipped.

local errors = require "lunet.errors"
local core = require "lunet.core"

local data = {}

-- load_idx(path [, scale]): an IDX file (plain or gzip) as a float32 tensor
-- of the stored shape, every value multiplied by scale (default 1).
data.load_idx = core.load_idx

local IMAGES, LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
local TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
local NAMES = { IMAGES, LABELS, TEST_IMAGES, TEST_LABELS }
local VALIDATION = 10000   -- the last images of the training file

-- The canonical MNIST files: name -> { size = bytes, md5 = hex digest }.
data.MNIST_FILES = {
  ["train-images-idx3-ubyte.gz"] = { size = 9912422, md5 = "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
  ["train-labels-idx1-ubyte.gz"] = { size = 28881, md5 = "d53e105ee54ea40749a09fcbcd1e9432" },
  ["t10k-images-idx3-ubyte.gz"] = { size = 1648877, md5 = "9fb629c4189551a2d022fa330f9573f3" },
  ["t10k-labels-idx1-ubyte.gz"] = { size = 4542, md5 = "ec29112dd5afa0611ce80d1b7f02629c" },
}

data.MNIST_MIRRORS = {
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "http://yann.lecun.com/exdb/mnist/",
}

local FASHION_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"

local CLASSES = {
  mnist = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" },
  fashion = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
}

local ALIASES = { mnist = "mnist", fashion = "fashion", ["fashion-mnist"] = "fashion",
                  fashion_mnist = "fashion" }

-- ---- small helpers ------------------------------------------------------

local function nonempty(s)
  if s ~= nil and s ~= "" then return s end
end

-- Both look without opening: io.open on a FIFO would wait for a writer.
local function is_file(path)
  return core.file_kind(path) == "file"
end

local function file_size(path)
  local kind, size = core.file_kind(path)
  if kind == "file" then return size end
end

-- A file name that stays in the directory it is joined to: not empty, not
-- "." or "..", no "/", no NUL or other control character.
local function check_plain_name(name, what)
  if type(name) ~= "string" or name == "" or name == "." or name == ".." or name:find("[/%c]") then
    errors.raise(("%s: %s is not a plain file name (no \"/\", not \".\" or \"..\", not empty, no control "
      .. "characters)"):format(what, type(name) == "string" and ("%q"):format(name) or tostring(name)))
  end
  return name
end

--- data.shell_quote(s) -> string
-- `s` quoted for the POSIX shell ('it'\''s'), as the downloader uses it.
local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", [['\'']]) .. "'"
end
data.shell_quote = shell_quote

-- Runs a shell command; returns ok, its output (stdout and stderr, or its
-- exit status when it printed nothing) and, when it was killed by a signal,
-- the signal number.
local function run(cmd)
  local p = assert(io.popen(cmd .. " 2>&1", "r"))
  local out = p:read("a")
  local ok, how, code = p:close()
  if not ok and not out:find("%S") then out = ("%s status %s"):format(how or "exit", tostring(code)) end
  local signal = how == "signal" and code or (how == "exit" and code > 128 and code - 128) or nil  -- sh: 128 + n
  return ok == true, out, signal
end

local function join(dir, name)
  return (dir:gsub("/+$", "")) .. "/" .. name
end

--- data.default_mnist_dir() -> string or nil
-- Where MNIST is cached: $XDG_CACHE_HOME/lunet/mnist, else
-- $HOME/.cache/lunet/mnist; nil when neither variable is set. A relative
-- XDG_CACHE_HOME is ignored, as the XDG specification says (it named a
-- different cache in each directory the user started lunet from).
local function default_mnist_dir()
  local xdg = nonempty(os.getenv("XDG_CACHE_HOME"))
  if xdg and xdg:sub(1, 1) == "/" then return join(xdg, "lunet/mnist") end
  local home = nonempty(os.getenv("HOME"))
  if home then return join(home, ".cache/lunet/mnist") end
end
data.default_mnist_dir = default_mnist_dir

-- The places to look in: a list of { dir =, why = }.
local function places(opts, env, default, default_why)
  if opts.dir ~= nil then
    if type(opts.dir) ~= "string" then errors.raise("opts.dir must be a string") end
    return { { dir = opts.dir, why = "opts.dir" } }
  end
  local list = {}
  local from_env = nonempty(os.getenv(env))
  if from_env then list[#list + 1] = { dir = from_env, why = "$" .. env } end
  if default then list[#list + 1] = { dir = default, why = default_why } end
  return list
end

-- The path of a data file in dir: the uncompressed one (quicker to load) if
-- present, else name.gz; nil if neither.
local function find_file(dir, name)
  for _, path in ipairs { join(dir, name), join(dir, name .. ".gz") } do
    if is_file(path) then return path end
  end
end

-- Finds the four files; returns { name = path } or raises the message that
-- lists where it looked, followed by how_to_get.
local function locate(what, list, how_to_get)
  local lines = {}
  for _, place in ipairs(list) do
    local found, missing = {}, {}
    for _, name in ipairs(NAMES) do
      local path = find_file(place.dir, name)
      if path then found[name] = path else missing[#missing + 1] = name end
    end
    if #missing == 0 then return found end
    local note = #missing == #NAMES and "" or " (missing " .. table.concat(missing, ", ") .. ")"
    lines[#lines + 1] = ("  %s (%s)%s"):format(place.dir, place.why, note)
  end
  if #lines == 0 then lines[1] = "  (nowhere: HOME is not set)" end
  error(("%s not found. Looked in:\n%s\nEach place must hold %s (each may end in .gz).\n%s")
    :format(what, table.concat(lines, "\n"), table.concat(NAMES, ", "), how_to_get), 0)
end

-- Loads images and labels; returns the set as one table, its images (N, 784).
local function load_pair(images_path, labels_path)
  local images = core.load_idx(images_path, 1 / 255)
  local labels = core.load_idx(labels_path)
  local shape = images:shape()
  if #shape ~= 3 or labels:dim() ~= 1 or labels:size(1) ~= shape[1] then
    error(("%s and %s do not match: images %s, labels %s"):format(images_path, labels_path,
      table.concat(shape, "x"), table.concat(labels:shape(), "x")), 0)
  end
  return images:view(shape[1], shape[2] * shape[3]), labels
end

local function split(paths, prefix)
  local x, y = load_pair(paths[IMAGES], paths[LABELS])
  local total = x:size(1)
  if total <= VALIDATION then
    error(("%s holds %d images; the split needs more than %d"):format(paths[IMAGES], total, VALIDATION), 0)
  end
  local n = total - VALIDATION
  local training = { x = x:narrow(1, 1, n), y = y:narrow(1, 1, n), n = n, name = prefix .. " training" }
  local validation = { x = x:narrow(1, n + 1, VALIDATION), y = y:narrow(1, n + 1, VALIDATION),
                       n = VALIDATION, name = prefix .. " validation" }
  local tx, ty = load_pair(paths[TEST_IMAGES], paths[TEST_LABELS])
  local test = { x = tx, y = ty, n = tx:size(1), name = prefix .. " test" }
  return training, validation, test
end

-- ---- the data sets ------------------------------------------------------

--- data.mnist([{dir =}]) -> training, validation, test
-- MNIST in the book's split: training the first 50,000 training images,
-- validation the last 10,000 (views of one tensor), test the 10,000 t10k
-- images. Each set is {x = (N, 784) float32 pixels in [0, 1], y = (N) float32
-- labels 0..9, n = N, name =}. Looks in opts.dir, else $LUNET_MNIST_DIR and
-- the cache (data.default_mnist_dir); the error lists where it looked and
-- how to get the files (make mnist, data.download_mnist).
function data.mnist(opts)
  opts = require("lunet.opts").check("lunet.data.mnist", opts, { "dir" })
  local default = default_mnist_dir()
  local paths = locate("MNIST", places(opts, "LUNET_MNIST_DIR", default, "the default cache"),
    "To get it, run `make mnist` in the lunet source tree, or call " ..
    "require(\"lunet.data\").download_mnist() (downloads 11 MB into " ..
    (default or "$HOME/.cache/lunet/mnist") .. ").")
  return split(paths, "mnist")
end

--- data.fashion_mnist([{dir =}]) -> training, validation, test
-- Fashion-MNIST, split and shaped as data.mnist (labels index
-- data.classes("fashion")). Looks in opts.dir, else $LUNET_FASHION_DIR and
-- /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
function data.fashion_mnist(opts)
  opts = require("lunet.opts").check("lunet.data.fashion_mnist", opts, { "dir" })
  local paths = locate("Fashion-MNIST",
    places(opts, "LUNET_FASHION_DIR", FASHION_SYSTEM_DIR, "Debian's dataset-fashion-mnist"),
    "To get it, run `sudo apt-get install dataset-fashion-mnist` (it installs into " ..
    FASHION_SYSTEM_DIR .. "), or point $LUNET_FASHION_DIR at a directory holding the files.")
  return split(paths, "fashion-mnist")
end

local function canonical(name)
  local key = ALIASES[name]
  if not key then
    errors.raise(("unknown data set %s: expected \"mnist\" or \"fashion\""):format(
      type(name) == "string" and ("%q"):format(name) or tostring(name)))
  end
  return key
end

--- data.load(name [, {dir =}]) -> training, validation, test
-- data.mnist for "mnist", data.fashion_mnist for "fashion" (or "fashion-mnist",
-- "fashion_mnist"); other names are errors.
function data.load(name, opts)
  if canonical(name) == "mnist" then return data.mnist(opts) end
  return data.fashion_mnist(opts)
end

--- data.classes(name) -> {string...}
-- The 10 class names of "mnist" or "fashion"; label k names classes[k + 1].
function data.classes(name)
  local list = CLASSES[canonical(name)]
  return table.move(list, 1, #list, 1, {})
end

-- ---- downloading MNIST --------------------------------------------------

local function have_command(name)
  return os.execute("command -v " .. name .. " >/dev/null 2>&1") == true
end

-- A function fetch(url, path) -> ok, message, signal using curl or wget.
local function fetcher()
  if have_command("curl") then
    return function(url, path)
      return run("curl -fsSL --connect-timeout 30 -o " .. shell_quote(path) .. " " .. shell_quote(url))
    end
  elseif have_command("wget") then
    return function(url, path)
      return run("wget -q --timeout=30 -O " .. shell_quote(path) .. " " .. shell_quote(url))
    end
  end
  error("download_mnist: neither curl nor wget was found on the PATH; install one " ..
        "(sudo apt-get install curl)", 0)
end

-- An empty file beside the target (so that the rename into place is
-- atomic), one fixed name per target: a download killed half way leaves
-- at most that one file, and the next download of the target reuses it.
local function temp_beside(dir, name)
  local path = join(dir, (".%s.lunet-part"):format(name))
  os.remove(path)   -- a stray from a killed download; a link is removed, never followed
  if core.file_kind(path) then
    error(("download_mnist: cannot use %s: something that is not a file is in the way"):format(path), 0)
  end
  local f, err = io.open(path, "wb")
  if not f then error(("download_mnist: cannot write in %s: %s"):format(dir, err), 0) end
  f:close()
  return path
end

local function check_file(path, want)
  local size = file_size(path)
  if size ~= want.size then
    return false, ("size %s expected %d"):format(tostring(size), want.size)
  end
  local md5 = core.md5_file(path)
  if md5 ~= want.md5:lower() then
    return false, ("md5 %s expected %s"):format(md5, want.md5:lower())
  end
  return true
end

local function short(text)
  text = (text or ""):gsub("%s+$", ""):gsub("\n", "; ")
  return text ~= "" and text or "failed"
end

--- data.download_mnist([{dir =, base_urls =, files =, quiet = false}]) -> dir
-- Downloads the four MNIST files (curl, else wget) into dir (default
-- data.default_mnist_dir()), trying data.MNIST_MIRRORS (or base_urls) in order.
-- Each file is checked against data.MNIST_FILES (or files: name -> {size =,
-- md5 =}), size then MD5, before it is renamed into place; correct files
-- already there are skipped. Progress lines go to stderr unless quiet.
-- Returns the directory; errors list every URL tried and why it failed,
-- and remove the directory again if this call made it and it is empty.
function data.download_mnist(opts)
  opts = require("lunet.opts").check("download_mnist", opts, { "dir", "base_urls", "files", "quiet" })
  local dir = opts.dir or default_mnist_dir()
  if type(dir) ~= "string" then
    errors.raise("download_mnist: no directory: give opts.dir or set HOME")
  end
  local mirrors = opts.base_urls or data.MNIST_MIRRORS
  local files = opts.files or data.MNIST_FILES
  local say = opts.quiet and function() end or function(fmt, ...)
    io.stderr:write(fmt:format(...), "\n")
    io.stderr:flush()
  end
  if type(mirrors) ~= "table" or #mirrors == 0 then
    errors.raise("download_mnist: opts.base_urls must be a list of base URLs")
  end
  for i, base in ipairs(mirrors) do
    if type(base) ~= "string" then errors.raise(("download_mnist: opts.base_urls[%d] is not a string"):format(i)) end
  end
  local names = {}
  for name, want in pairs(files) do
    if type(name) ~= "string" or type(want) ~= "table" or math.type(want.size) ~= "integer"
        or type(want.md5) ~= "string" then
      errors.raise("download_mnist: opts.files must map file names to { size = integer, md5 = hex string }")
    end
    -- the name becomes both a path in dir and the end of a URL
    names[#names + 1] = check_plain_name(name, "download_mnist: opts.files")
  end
  table.sort(names)
  local fetch = fetcher()
  -- a directory this call made is removed again if it stays empty (a
  -- failed download left an empty ~/.cache/lunet/mnist behind)
  local made = not os.rename(dir, dir)
  local ok, out = run("mkdir -p " .. shell_quote(dir))
  if not ok then error(("download_mnist: cannot create %s: %s"):format(dir, short(out)), 0) end
  local function fail(msg)
    if made then os.remove(dir) end       -- only when empty: rmdir's rule
    error(msg, 0)
  end

  for _, name in ipairs(names) do
    local want, path = files[name], join(dir, name)
    if is_file(path) and check_file(path, want) then
      say("%s: present, size and md5 check", name)
    else
      local tried, done = {}, false
      for _, base in ipairs(mirrors) do
        local url = base:gsub("/*$", "/") .. name
        local tmp = temp_beside(dir, name)
        local fetched, message, signal = fetch(url, tmp)
        if signal then
          os.remove(tmp)
          fail(("download_mnist: interrupted (signal %d) while fetching %s"):format(signal, url))
        end
        local good, why = fetched, short(message)
        if fetched then good, why = check_file(tmp, want) end
        if good then
          local renamed, err = os.rename(tmp, path)
          if not renamed then
            os.remove(tmp)
            fail(("download_mnist: cannot move %s into place: %s"):format(path, err))
          end
          say("%s: downloaded from %s", name, url)
          done = true
          break
        end
        os.remove(tmp)
        tried[#tried + 1] = ("  %s: %s"):format(url, why)
      end
      if not done then
        fail(("download_mnist: could not get %s (expected size %d, md5 %s); tried:\n%s")
          :format(name, want.size, want.md5, #tried > 0 and table.concat(tried, "\n") or "  no mirrors"))
      end
    end
  end
  return dir
end

--- data.load_default([name = "auto"]) -> training, validation, test, name
-- name "mnist", "fashion", or "auto": MNIST when its files
-- are found, else Fashion-MNIST with a line on stderr saying how to get
-- MNIST. Returns training, validation, test and the name used.
function data.load_default(name)
  name = name or "auto"
  if name ~= "auto" and not ALIASES[name] then
    errors.raise(("unknown data set %s: expected \"mnist\", \"fashion\" or \"auto\""):format(
      type(name) == "string" and ("%q"):format(name) or tostring(name)))
  end
  if name ~= "auto" then
    local tr, va, te = data.load(name)
    return tr, va, te, canonical(name)
  end
  local ok, tr, va, te = pcall(data.mnist)
  if ok then return tr, va, te, "mnist" end
  io.stderr:write("MNIST not found: using Fashion-MNIST (get MNIST with `make mnist` or "
    .. "lunet.data.download_mnist())\n")
  tr, va, te = data.fashion_mnist()
  return tr, va, te, "fashion"
end

-- ---- subsets --------------------------------------------------------------

local function check_set(fname, set)
  if type(set) ~= "table" or not core.is_tensor(set.x)
      or not core.is_tensor(set.y) then
    errors.raise(fname .. ": expected a data set {x =, y =} of tensors")
  end
  if set.expand then errors.raise(fname .. ": the set is expanded; take a subset before expanding") end
end

--- data.filter(set, classes [, {relabel = false}]) -> set
-- The samples of `set` whose label is one of `classes` (a list of class
-- numbers, e.g. {0, 1} for the broad strategy's two-class problem), in
-- their order, as a new set {x =, y =, n =, name =} (a copy, made in C).
-- With relabel = true the labels become positions in the list (0 for
-- classes[1], 1 for classes[2] ...), so a network with #classes outputs fits.
-- The set must hold labels (a vector y), not targets.
function data.filter(set, classes, opts)
  check_set("data.filter", set)
  opts = require("lunet.opts").check("data.filter", opts, { "relabel" })
  if type(classes) ~= "table" or #classes < 1 then errors.raise(
    "data.filter: classes must be a list of class numbers") end
  for i, c in ipairs(classes) do
    if type(c) ~= "number" then errors.raise(("data.filter: class %d is not a number"):format(i)) end
  end
  if set.y:dim() ~= 1 then errors.raise("data.filter: the set must hold labels (a vector y)") end
  local pos = core.label_positions(set.y, classes)
  local x, y = core.take_rows(set.x, pos), core.take_rows(set.y, pos)
  if opts.relabel then
    local new = y:clone():zero_()
    for i, c in ipairs(classes) do new:add_(y:eq(c):mul(i - 1)) end
    y = new
  end
  local name = (set.name or "data") .. " (classes " .. table.concat(classes, ", ") .. ")"
  return { x = x, y = y, n = x:size(1), name = name }
end

--- data.take(set, n [, from = 1]) -> set
-- n samples of `set` from position `from` on (fewer when the set ends
-- first), as views that share the set's memory (no copy).
function data.take(set, n, from)
  check_set("data.take", set)
  from = from or 1
  local size = set.x:size(1)
  if math.type(n) ~= "integer" or n < 1 then errors.raise("data.take: n must be a positive integer") end
  if math.type(from) ~= "integer" or from < 1 or from > size then
    errors.raise(("data.take: from must be an integer 1..%d"):format(size))
  end
  n = math.min(n, size - from + 1)
  return { x = set.x:narrow(1, from, n), y = set.y:narrow(1, from, n), n = n,
           name = (set.name or "data") .. (" (%d from %d)"):format(n, from) }
end

-- Expansion of a training set by shifts and rotations (lunet/expand.lua).
local expand = require "lunet.expand"
data.expand = expand.expand
data.sample = expand.sample

return data
