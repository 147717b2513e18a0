-- Docstrings by public name: "signature\ndescription". See lunet/doc.lua.
return {
}
