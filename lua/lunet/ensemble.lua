-- lunet.ensemble: several networks trained from different seeds, deciding
-- by majority vote (the book's last step on MNIST: five networks, 99.67%).
--
--   local nets = lunet.ensemble.train(5, function(i)
--     local net = make_network()            -- built after the seed is set
--     net:SGD(training, 40, 10, 0.03, validation, test, 0.1)
--     return net
--   end, { seed = 1 })
--   local r = lunet.ensemble.evaluate(nets, test)
--   print(r.vote, r.each[1], r.agree)        -- fractions in [0, 1]
--
-- A tie in the vote goes to the class with the largest mean output among
-- the tied ones, so two networks out of four are not a coin toss.

local errors = require "lunet.errors"
local core = require "lunet.core"
local options = require "lunet.opts"

local ensemble = {}

local function check_nets(nets)
  if type(nets) ~= "table" or #nets == 0 then errors.raise("an ensemble is a non-empty list of networks") end
  for i, net in ipairs(nets) do
    if type(net) ~= "table" or type(net.output) ~= "function" then
      errors.raise(("ensemble: element %d is not a network"):format(i))
    end
  end
end

--- ensemble.train(k, make [, {seed = 1}]) -> {net...}
-- Calls make(i) for i = 1..k right after
-- lunet.seed(seed + i - 1), so network i starts from its own initial
-- weights and sees its own order of mini-batches; returns the k networks
-- (fewer when Ctrl-C stopped an interruptible training: see lunet.train).
function ensemble.train(k, make, opts)
  if math.type(k) ~= "integer" or k < 1 then errors.raise("ensemble.train: k must be a positive integer") end
  if type(make) ~= "function" then errors.raise("ensemble.train: make must be a function returning a network") end
  local seed = options.check("ensemble.train", opts, { "seed" }).seed or 1
  if math.type(seed) ~= "integer" then
    errors.raise(("ensemble.train: seed must be an integer, got %s"):format(tostring(seed)))
  end
  local nets = {}
  -- Ctrl-C (where training is interruptible, as at the prompt) ends the
  -- network being trained and the ensemble with it: the networks so far
  local guard <close> = require("lunet.train").interruptible and core.catch_interrupts() or nil
  for i = 1, k do
    core.seed(seed + i - 1)
    nets[i] = make(i)
    if guard and core.interrupted() then
      print(("ensemble.train: interrupted (Ctrl-C) at network %d of %d; returning %d networks"):format(i, k, i))
      break
    end
  end
  check_nets(nets)
  return nets
end

--- ensemble.vote(nets, x) -> labels, each
-- Class labels (0-based, shape (n)) chosen by majority vote over the
-- networks' outputs for inputs x, and the list of each network's labels.
function ensemble.vote(nets, x)
  check_nets(nets)
  local votes, mean, labels
  local each = {}
  for i, net in ipairs(nets) do
    local y = net:output(x)
    if y:dim() ~= 2 then errors.raise("ensemble.vote: networks must output (n, classes)") end
    y = y:double()
    each[i] = y:argmax(2) - 1
    local v = core.one_hot(each[i], y:size(2))
    if votes then
      if v:size(2) ~= votes:size(2) then errors.raise("ensemble.vote: networks disagree on the class count") end
      votes:add_(v)
      mean:add_(y)
    else
      votes, mean = v, y
    end
  end
  -- outputs are at most 1 (softmax), so the tie-break never outweighs a vote
  labels = (votes + mean * (0.5 / #nets)):argmax(2) - 1
  return labels, each
end

local function labels_of(data)
  if type(data) ~= "table" or data.x == nil or data.y == nil then
    errors.raise("a data set is a table {x = inputs, y = labels or targets}")
  end
  local y = data.y
  if y:dim() == 2 then return y:argmax(2) - 1 end
  return y:double()
end

--- ensemble.evaluate(nets, data) -> {vote =, each =, agree =, n =}
-- vote: the fraction (0..1) of data classified right by the vote; each: the
-- fraction right per network; agree: the fraction where all networks agree;
-- n: the number of samples.
function ensemble.evaluate(nets, data)
  local truth = labels_of(data)
  local labels, each = ensemble.vote(nets, data.x)
  local n = truth:size(1)
  local r = { n = n, each = {}, vote = labels:eq(truth):sum() / n }
  local agree = core.ones(n, "float64")
  for i, l in ipairs(each) do
    r.each[i] = l:eq(truth):sum() / n
    agree:mul_(l:eq(each[1]))
  end
  r.agree = agree:sum() / n
  return r
end

return ensemble
