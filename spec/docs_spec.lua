-- Docstrings: every public function, method, class and module of lunet has
-- one (help(x) prints it), its signature names it, and docs/reference.md is
-- what `make docs` writes from them.
local lunet = require "lunet"
local doc = require "lunet.doc"

-- What print writes while fn runs, as one string.
local function printed(fn, ...)
  local lines, saved = {}, print
  _G.print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(fn, ...)
  _G.print = saved
  assert(ok, err)
  return table.concat(lines, "\n")
end

local function last(name)
  return name:match("([^.:]+)$")
end

describe("docstrings", function()
  it("exist for every public function, method, class and module", function()
    local missing, n = {}, 0
    for _, e in ipairs(doc.public()) do
      n = n + 1
      if not doc.get(e.value) then missing[#missing + 1] = ("%s (%s)"):format(e.name, type(e.value)) end
    end
    assert.is_true(n > 200, "the walk found only " .. n .. " public names")
    assert(#missing == 0, ("%d public names without a docstring (a '--- signature' comment block above the "
      .. "Lua definition, or an entry in lua/lunet/doc/*.lua):\n  %s"):format(#missing, table.concat(missing, "\n  ")))
  end)

  it("are given once per name in lua/lunet/doc/*.lua", function()
    local twice = doc.duplicates()
    assert(#twice == 0, "documented twice: " .. table.concat(twice, ", "))
  end)

  it("have a signature that names what they document", function()
    local bad = {}
    for _, e in ipairs(doc.public()) do
      local d = doc.get(e.value)
      if d then
        local ok = false
        for _, name in ipairs(e.names) do
          if d.signature:find(last(name), 1, true) then ok = true end
        end
        if not ok or d.signature == "" then bad[#bad + 1] = e.name .. ": " .. d.signature end
      end
    end
    assert(#bad == 0, "signatures that do not name their function:\n  " .. table.concat(bad, "\n  "))
  end)

  it("are read from the comment above a function, and are missing without one", function()
    --- documented(a, b) -> number
    -- The sum.
    local function documented(a, b) return a + b end
    local function undocumented(a) return a end
    local d = doc.get(documented)
    assert.are.equal("documented(a, b) -> number", d.signature)
    assert.are.equal("The sum.", d.text)
    assert.is_nil(doc.get(undocumented))
    assert.is_nil(doc.get({}))
  end)

  it("find methods through classes, instances and the lazily loaded modules", function()
    local t = lunet.zeros(2, 3)
    assert.are.equal("lunet.Tensor.reshape", doc.name_of(t.reshape))
    assert.are.equal("lunet.data.fashion_mnist", doc.name_of(lunet.data.fashion_mnist))
    assert.are.equal("lunet.plot.line", doc.name_of(lunet.plot.line))
    local net = lunet.Network { 4, 3, 2 }
    assert.are.equal("lunet.Network.SGD", doc.name_of(net.SGD))
    assert.are.equal("lunet.nn.Module.forward", doc.name_of(net.forward))
    local n3 = lunet.network3
    local net3 = n3.Network({ n3.FullyConnectedLayer { n_in = 4, n_out = 3 }, n3.SoftmaxLayer { n_in = 3, n_out = 2 } })
    assert.are.equal("lunet.network3.Network.SGD", doc.name_of(net3.SGD))
    local layer = lunet.nn.Linear(4, 3)
    assert.are.equal("lunet.nn.Linear.describe", doc.name_of(layer.describe))
    assert.is_not_nil(doc.get(layer.forward))
    -- one function under two names: both names known, one docstring
    local names = doc.names_of(lunet.matmul)
    assert.are.same({ "lunet.matmul", "lunet.Tensor.matmul" }, names)
    assert.are.equal(doc.get(lunet.matmul).signature, doc.get(t.matmul).signature)
  end)

  it("are what help(x) prints", function()
    for _, x in ipairs { lunet.zeros, lunet.Tensor.reshape, lunet.Network, lunet.nn.Module.forward,
      lunet.train.sgd, lunet.plot.line, lunet.data.fashion_mnist, lunet.linalg.solve } do
      local d = doc.get(x)
      local out = printed(doc.help, x)
      assert.are.equal(d.signature, out:match("^[^\n]*"))
      if d.text ~= "" then assert.truthy(out:find(d.text, 1, true)) end
    end
    assert.truthy(printed(doc.help, lunet.zeros):find("lunet.zeros(", 1, true))
    assert.truthy(printed(doc.help, lunet.nn):find("members: .*Linear"))
    assert.truthy(printed(doc.help, function() end):find("no documentation for this function", 1, true))
    -- an object is described by its class
    assert.are.equal(doc.get(lunet.Tensor).signature, printed(doc.help, lunet.zeros(2)):match("^[^\n]*"))
    assert.are.equal(doc.get(lunet.Network).signature, printed(doc.help, lunet.Network { 2, 2 }):match("^[^\n]*"))
    assert.are.equal(doc.get(lunet.nn.Linear).signature, doc.get(lunet.nn.Linear(2, 2)).signature)
  end)

  it("help takes a name, and finds methods added after the first lookup", function()
    assert.are.equal(doc.get(lunet.Tensor.reshape).signature, printed(doc.help, "reshape"):match("^[^\n]*"))
    assert.are.equal(doc.get(lunet.linalg.solve).signature, printed(doc.help, "t:solve"):match("^[^\n]*"))
    assert.are.same({ "lunet.Network.SGD", "lunet.network3.Network.SGD" }, doc.find("SGD"))
    assert.truthy(printed(doc.help, "SGD"):find("names several", 1, true))
    assert.truthy(printed(doc.help, "no_such_name"):find("no public name matches", 1, true))
    --- t:twice_for_docs_spec() -> tensor
    -- Twice t.
    local function twice(t) return t * 2 end
    assert.is_not_nil(doc.get(lunet.zeros))   -- the walk is done
    lunet.Tensor.twice_for_docs_spec = twice
    local ok, d = pcall(doc.get, lunet.zeros(1).twice_for_docs_spec)
    lunet.Tensor.twice_for_docs_spec = nil
    assert(ok, d)
    assert.are.equal("t:twice_for_docs_spec() -> tensor", d.signature)
    assert.are.equal("lunet.Tensor.twice_for_docs_spec", d.name)
  end)

  it("help() lists the modules", function()
    local out = printed(doc.help)
    for _, m in ipairs { "lunet.nn", "lunet.train", "lunet.optim", "lunet.data", "lunet.plot", "lunet.linalg",
      "lunet.Network", "lunet.Tensor" } do
      assert.truthy(out:find(m, 1, true), m .. " missing from help(): " .. out)
    end
  end)

  it("make docs/reference.md, which is up to date", function()
    local render = dofile("tools/mkdocs.lua")
    local text = render()
    local f = assert(io.open("docs/reference.md", "r"))
    local committed = f:read("a")
    f:close()
    assert(text == committed, "docs/reference.md is out of date: run `make docs` and commit it")
    for _, e in ipairs(doc.public()) do
      assert.truthy(text:find(e.name, 1, true), e.name .. " is not in the manual")
    end
    assert.is_nil(text:find("(no docstring)", 1, true))
    local ids = {}
    for id in text:gmatch('<a id="([^"]+)"') do
      assert(not ids[id], "two sections have the anchor " .. id)
      ids[id] = true
    end
    for id in text:gmatch("%]%(#([^)]+)%)") do assert(ids[id], "a link to a missing anchor: " .. id) end
  end)
end)
