-- Docstrings of lunet's C functions and of tables (modules, classes), by
-- public name: "signature\ndescription". See lunet/doc.lua.
return {
  ["lunet.zeros"] = "lunet.zeros(d1, ...) -> tensor\nA float32 tensor of the given shape filled with zeros.",
}
