-- wrk script for bench/http_bench.py: picks request paths and reports JSON.
--
--   wrk ... -s http_wrk.lua URL -- PATHS_FILE [POSTS_FILE WRITE_EVERY]
--
-- PATHS_FILE: one path per line, each request picks one at random (one line: a hot page).
-- POSTS_FILE: lines "path<TAB>form body"; every WRITE_EVERY-th request of a connection is a
-- POST of one of them (the comment form), the rest are reads. The summary is printed as one
-- JSON line starting with "JSON " so the driver can find it among wrk's own output.

local paths, posts = {}, {}
local write_every, counter = 0, 0
local origin = ""

local function read_lines(name)
  local lines = {}
  for line in io.lines(name) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  return lines
end

function init(args)
  paths = read_lines(args[1])
  if args[2] then
    for _, line in ipairs(read_lines(args[2])) do
      local path, body = line:match("^([^\t]+)\t(.*)$")
      posts[#posts + 1] = { path = path, body = body }
    end
    write_every = tonumber(args[3])
    origin = args[4] or ""
  end
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_id", threads_made)
end

function request()
  counter = counter + 1
  if write_every > 0 and counter % write_every == 0 then
    local post = posts[math.random(#posts)]
    -- A different body each time: the comments app stores identical resubmissions once.
    local body = post.body:gsub("BENCHN", tostring(counter) .. "-" .. tostring(math.random(1e9)))
    return wrk.format("POST", "/comments/post/", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = origin,
      ["Referer"] = origin .. post.path,
    }, body)
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"non_2xx_3xx":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.timeout, e.status))
end
