-- Plots that fit a window and stay small (issue 11): PNG pixels, grids
-- wrapped to 1000 px, readable log axes, epoch-0 marks, and plot.show's
-- shorthands, colours and terminal width.
local lunet = require "lunet"
local plot = require "lunet.plot"
local svg = require "lunet.plot.svg"
local H = require "spec.helpers"

local function root(doc)
  local w, h = svg.size(doc)
  local vb = doc:match('^<svg[^>]- viewBox="0 0 ([%d.]+) [%d.]+"')
  return w, h, tonumber(vb)
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

local function sh(cmd)
  local env = os.getenv("LUNET_ASAN") and "" or "env -u LD_PRELOAD "
  local p = io.popen(env .. cmd .. " 2>&1")
  local out = p:read("a")
  p:close()
  return out
end

-- The pixels of a PNG data: URI, decoded by Python's zlib (an independent
-- decoder): "w h type" then the rows' bytes as numbers.
local function decode_png(uri)
  local path = H.tmpname(".b64")
  H.write(path, uri:match("base64,(.*)$"))
  local out = sh("/usr/bin/python3 -c \"import base64, struct, sys, zlib\n"
    .. "d = base64.b64decode(open(sys.argv[1]).read())\n"
    .. "assert d[:8] == bytes([137, 80, 78, 71, 13, 10, 26, 10])\n"
    .. "i, idat = 8, b''\n"
    .. "while i < len(d):\n"
    .. "  n, = struct.unpack('>I', d[i:i+4]); t = d[i+4:i+8]; body = d[i+8:i+8+n]\n"
    .. "  assert zlib.crc32(t + body) == struct.unpack('>I', d[i+8+n:i+12+n])[0]\n"
    .. "  if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])\n"
    .. "  if t == b'IDAT': idat += body\n"
    .. "  i += 12 + n\n"
    .. "raw = zlib.decompress(idat)\n"
    .. "row = len(raw) // h\n"
    .. "print(w, h, ctype, ' '.join(str(b) for r in range(h) for b in raw[r*row+1:(r+1)*row]))\" " .. path)
  os.remove(path)
  local w, h, t, rest = out:match("^(%d+) (%d+) (%d+) ([%d ]*)")
  assert(w, out)
  local bytes = {}
  for b in rest:gmatch("%d+") do bytes[#bytes + 1] = tonumber(b) end
  return tonumber(w), tonumber(h), tonumber(t), bytes
end

describe("pixels", function()
  it("become one PNG per image when that is smaller, with the same grey levels", function()
    lunet.seed(3)
    local imgs = {}
    for i = 1, 30 do imgs[i] = lunet.rand(28, 28) end
    local doc = plot.images { images = imgs }
    assert.are.equal(30, count(doc, "<image "))
    assert.are.equal(0, count(doc, '<rect x="%d+" y="%d+" width="%d+" height="1"'))
    -- the first image: white = min, black = max, levels as the rects had them
    local uri = doc:match('href="(data:image/png;base64,[^"]+)"')
    local w, h, ctype, bytes = decode_png(uri)
    assert.are.same({ 28, 28, 0 }, { w, h, ctype })
    local t = imgs[1]:totable()
    local lo, hi = imgs[1]:min(), imgs[1]:max()
    for r = 1, 28 do
      for c = 1, 28 do
        local level = math.floor((t[r][c] - lo) / (hi - lo) * 254 + 0.5)
        assert.are.equal(math.floor(255 - 255 * level / 254 + 0.5), bytes[(r - 1) * 28 + c])
      end
    end
  end)

  it("keep a palette for colour maps, index 0 transparent for missing pixels", function()
    local img = {}
    for r = 1, 20 do
      img[r] = {}
      for c = 1, 20 do img[r][c] = (r + c) % 3 - 1 end
    end
    img[1][1] = 0 / 0
    local doc = plot.images { images = { img }, cmap = "diverging" }
    local uri = doc:match('href="(data:image/png;base64,[^"]+)"')
    assert.truthy(uri, "no PNG in " .. #doc .. " bytes")
    local _, _, ctype, bytes = decode_png(uri)
    assert.are.equal(3, ctype)
    assert.are.equal(0, bytes[1])                -- the missing pixel
    -- three colours, indices 1..3 in level order: -1 (blue), 0 (white), 1 (red)
    for r = 1, 20 do
      for c = 1, 20 do
        if r > 1 or c > 1 then assert.are.equal((r + c) % 3 - 1 + 2, bytes[(r - 1) * 20 + c]) end
      end
    end
  end)

  it("take 4-D convolution weights: one image per map and input channel", function()
    lunet.seed(5)
    local w = lunet.randn(3, 2, 5, 5)
    local doc = plot.images { images = w, cmap = "diverging", scale = 4 }
    -- 6 frames of 5 x 5 pixels at 4 px (+1 for the frame's stroke)
    assert.are.equal(6, count(doc, 'width="21" height="21" fill="none"'))
    local flat = plot.images { images = w:reshape(6, 25), shape = { 5, 5 }, cmap = "diverging", scale = 4 }
    assert.are.equal(flat, doc)
  end)

  it("misclassified-sized grids stay small: 100 digits-like images under 200 KB", function()
    lunet.seed(4)
    local imgs = {}
    for i = 1, 100 do imgs[i] = lunet.rand(28, 28):gt(0.8) end
    local doc = plot.images { images = imgs, labels = (function()
      local l = {}
      for i = 1, 100 do l[i] = ("%d -> %d"):format(i % 10, (i + 3) % 10) end
      return l
    end)() }
    assert.is_true(#doc < 200 * 1024, #doc .. " bytes")
    assert.is_true(svg.size(doc) <= 1000)
  end)
end)

describe("widths", function()
  it("no document is shown wider than 1000 px", function()
    local w, _, vb = root(plot.line { series = { { y = { 1, 2 } } }, width = 1500 })
    assert.are.equal(1000, w)
    assert.are.equal(1500, vb)
    local _, h = svg.size(plot.line { series = { { y = { 1, 2 } } }, width = 1500, height = 600 })
    assert.are.equal(400, h)
  end)

  it("grids wrap into rows that fit", function()
    local function chart(width) return plot.line { series = { { y = { 1, 2 } } }, width = width, height = 300 } end
    local doc = plot.grid { charts = { chart(490), chart(490), chart(490) }, cols = 3 }
    local w, h, vb = root(doc)
    assert.are.same({ 988, 608, 988 }, { w, h, vb })
    doc = plot.grid { charts = { chart(560), chart(560), chart(560) }, cols = 3 }
    w, h = root(doc)
    assert.are.same({ 560, 916 }, { w, h })
  end)

  it("image grids take fewer columns, then a smaller scale", function()
    local imgs = {}
    for i = 1, 100 do imgs[i] = { { 0, 1 }, { 1, 0 } } end
    local w = svg.size(plot.images { images = imgs, scale = 56 })
    assert.is_true(w <= 1000, w)
    local wide = svg.size(plot.images { images = { lunet.rand(10, 300) } })
    assert.is_true(wide <= 1000, wide)
  end)
end)

describe("axes and marks", function()
  it("a log axis over few decades labels 2 and 5 as well", function()
    local doc = plot.line { logy = true, series = { { y = { 0.0012, 0.004, 0.009 } } } }
    local labels = {}
    for t in doc:gmatch('class="ytick">([^<]*)<') do labels[#labels + 1] = t end
    assert.are.same({ "0.001", "0.002", "0.005", "0.01" }, labels)
    doc = plot.line { logy = true, series = { { y = { 2e-6, 3e-5 } } } }
    assert.truthy(doc:find('class="ytick">2×10⁻⁶<', 1, true), doc)
  end)

  it("marks epoch 0 before training", function()
    local doc = plot.line { series = { { x = { 0, 1, 2 }, y = { 1, 2, 3 } } },
      marks = { { x = 0, label = "before training" } } }
    assert.are.equal(1, count(doc, '<line class="mark"'))
    assert.truthy(doc:find(">before training</text>", 1, true))
    local m = plot.monitor { gradient_norms = { epoch = { 0, 1, 2 }, bias = { { 1, 0.5, 0.2 } } } }
    assert.truthy(m:find(">before training</text>", 1, true))
    assert.matches("marks%[1%]%.x must be a finite number", H.err(plot.line,
      { series = { { y = { 1 } } }, marks = { { x = 0 / 0 } } }))
  end)
end)

describe("plot.show", function()
  local function shown(arg)
    local parts, write = {}, io.write
    io.write = function(...) for _, s in ipairs { ... } do parts[#parts + 1] = s end end   -- luacheck: ignore
    local ok, err = pcall(plot.show, arg)
    io.write = write   -- luacheck: ignore
    assert(ok, err)
    return table.concat(parts)
  end

  it("takes a list of numbers, one series' fields, tensors of 1 to 4 dimensions", function()
    local a = shown { 1, 4, 9 }
    assert.truthy(a:find("9", 1, true))
    local b = shown { y = { 1, 4, 9 }, title = "squares" }
    assert.matches("^squares\n", b)
    assert.are.equal(shown { series = { { y = { 1, 4, 9 } } }, title = "squares" }, b)
    assert.truthy(#shown(lunet.tensor { 1, 4, 9 }) > 0)
    assert.truthy(#shown(lunet.rand(4, 5)) > 0)
    local conv = shown(lunet.randn(3, 2, 5, 5))   -- convolution weights: 6 images of 5 x 5
    assert.truthy(#conv > 0)
    assert.matches("expected a table of options, a list of numbers or a tensor", H.err(plot.show, 7))
  end)

  it("fits the terminal's width and colours only a colour terminal", function()
    local code = [[bin/lunet -e "lunet.plot.show{1, 4, 9, 16}"]]
    local plain = sh("COLUMNS=50 " .. code)
    local widest = 0
    for line in plain:gmatch("[^\n]+") do widest = math.max(widest, utf8.len(line)) end
    assert.is_true(widest <= 50 and widest >= 40, "widest line " .. widest)
    assert.is_nil(plain:find("\27[", 1, true))          -- a pipe: no colour
    local tty = sh(("COLUMNS=50 TERM=xterm script -qec %q /dev/null"):format(code))
    assert.truthy(tty:find("\27[34m", 1, true), tty)
    local no = sh(("COLUMNS=50 TERM=xterm NO_COLOR=1 script -qec %q /dev/null"):format(code))
    assert.is_nil(no:find("\27[", 1, true))
  end)
end)
