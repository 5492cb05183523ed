-- POST one 28x28 MNIST-form image (a simple stroke) to /api/predict
local px = {}
for i = 0, 783 do
  local r, c = math.floor(i / 28), i % 28
  px[#px + 1] = (c >= 13 and c <= 15 and r >= 4 and r <= 23) and "255" or "0"
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"image": [' .. table.concat(px, ",") .. ']}'
done = function(summary, latency, requests)
  io.write(string.format("p50_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
