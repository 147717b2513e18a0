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
end)
