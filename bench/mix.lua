-- wrk: the 60:1:14:5 mix of GET /Test/V1..V4, requests built once, picked per call.
local paths = {}
local function add(path, weight) for _ = 1, weight do paths[#paths + 1] = path end end
add("/Test/V1", 60); add("/Test/V2", 1); add("/Test/V3", 14); add("/Test/V4", 5)
local prepared = {}
init = function()
    for i, path in ipairs(paths) do prepared[i] = wrk.format("GET", path) end
end
request = function() return prepared[math.random(#prepared)] end
