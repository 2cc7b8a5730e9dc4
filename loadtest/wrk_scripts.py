"""The Lua scripts wrk runs for the bench's capacity scenarios (`bench_wrk.py`): `%(...)s`
fields are filled in per run, so a literal % is written %%."""

# What every wrk script of the bench shares: each connection (thread) is user `idx`, with its
# token and its seats; `done` sums what each thread counted: answers not as the script expected,
# and complete bookings.
WRK_COMMON = """
local tokens = {%(tokens)s}
local seats = {%(seats)s}
-- Each user's turn token of the event's waiting room (API.md), none for an event without one.
local turns = {%(turns)s}
local counter, threads = 0, {}
function setup(thread)
  counter = counter + 1
  thread:set("idx", counter)
  table.insert(threads, thread)
end
-- Each user from a network of its own, as buyers are, which the server believes with
-- NUM_PROXIES=1 (the per-network rules of holds: API.md "Holds per network").
function network(i)
  return "10." .. math.floor(i / 256) .. "." .. (i %% 256) .. ".1"
end
function done(summary, latency, requests)
  local bad, booked = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad")
    booked = booked + t:get("booked")
  end
  io.write(string.format("not as expected: %%d\\nbookings: %%d\\n", bad, booked))
end
"""

WRK_SCRIPT = """
function init(args)
  seat, token, held, bad, booked = seats[idx], tokens[idx], false, 0, 0
end
function request()
  -- one request in flight per connection: the last answer says whether the seat is held
  local action = held and "unlock" or "lock"
  return wrk.format("POST", "/api/events/%(event)s/seats/" .. seat .. "/" .. action .. "/",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
     ["Queue-Turn"] = turns[idx], ["X-Forwarded-For"] = network(idx)}, "{}")
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  held = status == 200 and string.find(body, '"mine":true', 1, true) ~= nil
end
"""

CHECKOUT_SCRIPT = """
function init(args)
  -- a checkout per turn: lock both seats, reserve them under a new key, cancel the booking
  pair, token, step, booking, turn, bad, booked = seats[idx], tokens[idx], "lock", nil, 0, 0, 0
  auth = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
          ["X-Forwarded-For"] = network(idx)}
end
function request()
  if step == "lock" then
    return wrk.format("POST", "/api/events/%(event)s/lock/", auth, '{"seat_ids":' .. pair .. '}')
  elseif step == "reserve" then
    turn = turn + 1
    local headers = {["Idempotency-Key"] = "wrk-" .. idx .. "-" .. turn}
    for k, v in pairs(auth) do headers[k] = v end
    local body = '{"seat_ids":' .. pair .. '}'
    return wrk.format("POST", "/api/events/%(event)s/reserve/", headers, body)
  else
    return wrk.format("POST", "/api/reservations/" .. booking .. "/cancel/", auth, "{}")
  end
end
function response(status, headers, body)
  -- Anything unexpected is counted; a booking not yet cancelled is cancelled again, so one
  -- failure cannot turn the rest of the run into refused locks.
  local expected = (step == "lock" and status == 200) or (step == "reserve" and status == 201)
    or (step == "cancel" and status == 200)
  if not expected then bad = bad + 1 end
  if step == "lock" and expected then
    step = "reserve"
  elseif step == "reserve" and expected then
    booked = booked + 1
    booking = string.match(body, '"reservation":%%s*{%%s*"id":%%s*(%%d+)')
    step = booking and "cancel" or "lock"
  elseif step == "cancel" and expected then
    step = "lock"
  elseif step == "reserve" then
    step = "lock"
  end
end
"""

PAY_CHECKOUT_SCRIPT = """
function init(args)
  -- a checkout on an event paid at the venue (API.md "Paying"): lock both seats, reserve them
  -- (an order awaiting payment), the box office settles it (%(staff)s's token), cancel it
  pair, token, step, booking, total, bad, booked = seats[idx], tokens[idx], "lock", nil, nil, 0, 0
  auth = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
          ["X-Forwarded-For"] = network(idx)}
  staff = {["Authorization"] = "Bearer %(staff)s", ["Content-Type"] = "application/json"}
end
function request()
  if step == "lock" then
    return wrk.format("POST", "/api/events/%(event)s/lock/", auth, '{"seat_ids":' .. pair .. '}')
  elseif step == "reserve" then
    return wrk.format("POST", "/api/events/%(event)s/reserve/", auth, '{"seat_ids":' .. pair .. '}')
  elseif step == "paid" then
    return wrk.format("POST", "/api/staff/reservations/" .. booking .. "/paid/", staff,
      '{"amount":"' .. total .. '"}')
  else
    return wrk.format("POST", "/api/reservations/" .. booking .. "/cancel/", auth, "{}")
  end
end
function response(status, headers, body)
  local expected = (step == "lock" and status == 200) or (step == "reserve" and status == 201)
    or ((step == "paid" or step == "cancel") and status == 200)
  if not expected then bad = bad + 1 end
  if step == "lock" and expected then
    step = "reserve"
  elseif step == "reserve" and expected then
    booking = string.match(body, '"reservation":%%s*{%%s*"id":%%s*(%%d+)')
    total = string.match(body, '"total_price":%%s*"([%%d.]+)"')
    step = booking and "paid" or "lock"
  elseif step == "paid" and expected then
    booked = booked + 1
    step = "cancel"
  elseif step == "cancel" and expected then
    step = "lock"
  elseif step == "reserve" then
    step = "lock"
  end
end
"""
