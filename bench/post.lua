-- wrk script: POST the GraphQL request in the BODY environment variable.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"

local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests=%d non2xx_or_errors=%d p50=%.2fms p99=%.2fms\n",
    summary.requests, summary.errors.status + errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
