-- wrk script: POST one new ticket per request (unique external ids per thread), as an ITSM would.
local counter = 0
prefix = prefix or ""

math.randomseed(os.time())

function setup(thread)
  -- Distinct per thread and per run, so no request of this run updates a ticket of an earlier one.
  thread:set("prefix", tostring(os.time()) .. "-" .. tostring(math.random(100000000)))
end

function init(args)
  if prefix == "" then prefix = tostring(math.random(100000000)) end
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"source":"load","external_id":"%s-%d","title":"Receipt printer offline","priority":"P3",' ..
    '"site":%s,"required_skills":["printers"],"asset":{"make":"Epson","model":"TM-T88VI"}}',
    prefix, counter, os.getenv("SITE_ID"))
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
  }, body)
end
