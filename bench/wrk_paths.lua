-- Rotates requests over the paths in WRK_PATHS (one per line) and prints a JSON summary.
local paths = {}
for line in string.gmatch(os.getenv("WRK_PATHS") or "/", "[^\n]+") do
  table.insert(paths, line)
end
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Accept-Encoding"] = "gzip"})
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
