-- Rotates requests over the paths in WRK_PATHS (one per line), with the headers in WRK_HEADERS
-- ("Name: value" per line; default Accept-Encoding: gzip), and prints a JSON summary as its last line.
local paths = {}
for line in string.gmatch(os.getenv("WRK_PATHS") or "/", "[^\n]+") do
  table.insert(paths, line)
end
local headers = {}
local given = os.getenv("WRK_HEADERS")
if given == nil then
  headers["Accept-Encoding"] = "gzip"
else
  for line in string.gmatch(given, "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
end
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.2f, "requests_per_second": %.1f, "latency_p50_ms": %.2f, "latency_p99_ms": %.2f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
