/**
 * The ledger's Lua: one script per operation, so each is atomic on the Redis server and costs one round trip.
 * Time is the Redis server's (TIME), so the clocks of the app instances never matter. Semantics mirror
 * store-core's MemoryLedger; the key layout is in keys.ts.
 *
 * Every script returns the committed + reserved bytes of each counter it touched, which `peek` shows.
 */
import { defineScript } from './script.js';

/** Expiring slots kept per counter; past this the earliest folds into the next (later deadline: never under-counts). */
const MAX_SLOTS = 1_500;
/** A fold brings a counter back to this many slots. */
const FOLD_TO = 1_350;
/** Keys outlive their last deadline by this much, so a key never vanishes before its content is due. */
const GRACE_MS = 1_000;

/** Shared by every ledger script: ARGV[1] is the prefix. */
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local prefix = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function int(n) return string.format('%d', n) end
local function ckey(c) return prefix .. 'c:' .. c end
local function rkey(c) return prefix .. 'r:' .. c end
local function dkey(c) return prefix .. 'd:' .. c end
local function nkey(c) return prefix .. 'n:' .. c end
local function hkey(h) return prefix .. 'h:' .. h end
local function skey(h) return prefix .. 's:' .. h end

-- Runs a variadic command over a long list in bounded batches (Lua's unpack has a stack limit).
local function batched(cmd, key, items)
  for i = 1, #items, 500 do
    redis.call(cmd, key, unpack(items, i, math.min(i + 499, #items)))
  end
end

-- The reservation keys of a counter (holders, deadlines, sum) share one expiry, never earlier than the latest
-- deadline: moved forward (with a TTL of slack, so most renewals need not move it) when a deadline passes it, and
-- never back. They go together with the counter's last holder.
local function keepUntil(c, deadline, ttl)
  local left = redis.call('PTTL', dkey(c))
  if left < 0 or now + left < deadline + ${GRACE_MS} then
    local at = int(deadline + ${GRACE_MS} + ttl)
    redis.call('PEXPIREAT', dkey(c), at)
    redis.call('PEXPIREAT', rkey(c), at)
    redis.call('PEXPIREAT', nkey(c), at)
  end
end

local function dropIfEmpty(c)
  if redis.call('ZCARD', dkey(c)) == 0 then redis.call('DEL', dkey(c), rkey(c), nkey(c)) end
end

-- Drops the counter's expired reservations: they count for nobody. Costs the number of expired ones, not of all.
local function purge(c)
  local dead = redis.call('ZRANGEBYSCORE', dkey(c), '-inf', now)
  if #dead == 0 then return end
  local freed = 0
  for i = 1, #dead, 500 do
    local bytes = redis.call('HMGET', rkey(c), unpack(dead, i, math.min(i + 499, #dead)))
    for _, b in ipairs(bytes) do freed = freed + (tonumber(b) or 0) end
  end
  batched('HDEL', rkey(c), dead)
  redis.call('ZREMRANGEBYSCORE', dkey(c), '-inf', now)
  redis.call('INCRBY', nkey(c), int(-freed))
  dropIfEmpty(c)
end

-- The sum of the counter's live reservations, kept beside them so that no operation adds them all up.
local function reserved(c)
  return tonumber(redis.call('GET', nkey(c)) or '0')
end

-- Committed bytes not yet expired (expired slots are deleted on the way), plus what housekeeping needs.
local function committed(c)
  local fields = redis.call('HGETALL', ckey(c))
  local total, lasting, last, expired = 0, 0, 0, {}
  for i = 1, #fields, 2 do
    local bytes = tonumber(fields[i + 1])
    if fields[i] == 'l' then
      lasting = bytes
      total = total + bytes
    else
      local at = tonumber(fields[i])
      if at <= now then
        expired[#expired + 1] = fields[i]
      else
        total = total + bytes
        if at > last then last = at end
      end
    end
  end
  if #expired > 0 then batched('HDEL', ckey(c), expired) end
  return total, lasting, last, #expired > 0
end

-- Idle keys vanish: a counter lasts while it has lasting bytes, else until its last slot expires.
local function tidyCommitted(c, lasting, last)
  if lasting ~= 0 then
    redis.call('PERSIST', ckey(c))
  elseif last > 0 then
    redis.call('HDEL', ckey(c), 'l')
    redis.call('PEXPIREAT', ckey(c), int(last + ${GRACE_MS}))
  else
    redis.call('DEL', ckey(c))
  end
end

-- committed + reserved of a counter, purged: the value scripts report for peek. The counter's expiry is set again
-- when slots expired here, or when the caller just changed it (\`changed\`).
local function live(c, changed)
  purge(c)
  local total, lasting, last, expired = committed(c)
  if changed or expired then tidyCommitted(c, lasting, last) end
  if total < 0 then total = 0 end
  return total + reserved(c)
end

-- The holder's deadline (0 when it has no record) and its counters.
local function holderOf(holder)
  local fields = redis.call('HGETALL', hkey(holder))
  local deadline, counters = 0, {}
  for i = 1, #fields, 2 do
    if fields[i] == '@' then deadline = tonumber(fields[i + 1]) else counters[#counters + 1] = fields[i] end
  end
  return deadline, counters
end

-- Removes every reservation of the holder, returns the counters it held.
local function dropHolder(holder, counters)
  for _, c in ipairs(counters) do
    local bytes = tonumber(redis.call('HGET', rkey(c), holder))
    if bytes then
      redis.call('HDEL', rkey(c), holder)
      redis.call('ZREM', dkey(c), holder)
      redis.call('INCRBY', nkey(c), int(-bytes))
      dropIfEmpty(c)
    end
  end
  redis.call('DEL', hkey(holder))
end

-- Moves the holder's deadline (now + ttl) on every counter it holds.
local function extend(holder, counters, ttl)
  local deadline = now + ttl
  for _, c in ipairs(counters) do
    redis.call('ZADD', dkey(c), int(deadline), holder)
    keepUntil(c, deadline, ttl)
  end
  redis.call('HSET', hkey(holder), '@', int(deadline))
  redis.call('PEXPIREAT', hkey(holder), int(deadline + ${GRACE_MS}))
end
`;

/**
 * reserve: ARGV = prefix, holder, ttlMs, then (counter, bytes, limit or '' for none) per claim.
 * Returns { '' , counter, value, … } when granted, { refusing counter, its value } when refused (nothing changed).
 * Claims on one counter add up: the check is on their sum, so even a repeated counter cannot overshoot.
 */
export const RESERVE = defineScript(`${PRELUDE}
local holder, ttl = ARGV[2], tonumber(ARGV[3])
local deadline, held = holderOf(holder)
if deadline > 0 and deadline <= now then
  dropHolder(holder, held)
  held = {}
end
local asked, used, order = {}, {}, {}
for i = 4, #ARGV, 3 do
  local c, bytes, limit = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  if not asked[c] then
    used[c] = live(c)
    asked[c] = 0
    order[#order + 1] = c
  end
  asked[c] = asked[c] + bytes
  if limit ~= '' and used[c] + asked[c] > tonumber(limit) then return { c, used[c] } end
end
local reply = { '' }
for _, c in ipairs(order) do
  redis.call('HINCRBY', rkey(c), holder, int(asked[c]))
  redis.call('INCRBY', nkey(c), int(asked[c]))
  redis.call('HINCRBY', hkey(holder), c, int(asked[c]))
  held[#held + 1] = c
  reply[#reply + 1] = c
  reply[#reply + 1] = used[c] + asked[c]
end
extend(holder, held, ttl)
return reply
`);

/** renew: ARGV = prefix, ttlMs, holders…  Returns the holders already gone (settled, expired, never seen). */
export const RENEW = defineScript(`${PRELUDE}
local ttl = tonumber(ARGV[2])
local gone = {}
for i = 3, #ARGV do
  local holder = ARGV[i]
  local deadline, held = holderOf(holder)
  if deadline > now then
    extend(holder, held, ttl)
  else
    if deadline > 0 then dropHolder(holder, held) end
    gone[#gone + 1] = holder
  end
end
return gone
`);

/**
 * settle: ARGV = prefix, holder, settledMemoryMs, expirySlotMs, then (counter, bytes, expiresAt or '') per commitment.
 * Returns { counter, value, … } for every counter touched; an empty list when the holder was already settled.
 */
export const SETTLE = defineScript(`${PRELUDE}
local holder, memory, slotMs = ARGV[2], ARGV[3], tonumber(ARGV[4])
if not redis.call('SET', skey(holder), '1', 'NX', 'PX', memory) then return {} end
local _, held = holderOf(holder)
dropHolder(holder, held)
local touched, seen = {}, {}
local function touch(c)
  if not seen[c] then
    seen[c] = true
    touched[#touched + 1] = c
  end
end
for _, c in ipairs(held) do touch(c) end

-- Too many slots: fold the earliest into the next (later deadline: bytes are kept longer, never dropped), down to
-- 90 % of the bound, so a busy counter folds once per many new slots rather than on every settle.
local function fold(c)
  local fields = redis.call('HGETALL', ckey(c))
  local slots = {}
  for i = 1, #fields, 2 do
    if fields[i] ~= 'l' then slots[#slots + 1] = { tonumber(fields[i]), tonumber(fields[i + 1]) } end
  end
  if #slots <= ${MAX_SLOTS} then return end
  table.sort(slots, function(a, b) return a[1] < b[1] end)
  local extra, carry, gone = #slots - ${FOLD_TO}, 0, {}
  for i = 1, extra do
    carry = carry + slots[i][2]
    gone[#gone + 1] = int(slots[i][1])
  end
  batched('HDEL', ckey(c), gone)
  redis.call('HINCRBY', ckey(c), int(slots[extra + 1][1]), int(carry))
end

-- Each counter's committed total is read once, then kept up to date here, so that the clamp below applies after
-- every commitment (as the reference ledger does) without re-reading the counter.
local current = {}
for i = 5, #ARGV, 3 do
  local c, bytes, expiresAt = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  touch(c)
  if current[c] == nil then current[c] = committed(c) end
  if expiresAt == '' then
    redis.call('HINCRBY', ckey(c), 'l', int(bytes))
    current[c] = current[c] + bytes
  elseif tonumber(expiresAt) > now then
    -- Rounded up to the slot's end: bytes may leave a little late, never early.
    local slot = math.ceil(tonumber(expiresAt) / slotMs) * slotMs
    redis.call('HINCRBY', ckey(c), int(slot), int(bytes))
    current[c] = current[c] + bytes
  end
  -- A removal the ledger never saw charged must not drive the counter below zero.
  if current[c] < 0 then
    redis.call('HINCRBY', ckey(c), 'l', int(-current[c]))
    current[c] = 0
  end
end
for c in pairs(current) do
  if redis.call('HLEN', ckey(c)) > ${MAX_SLOTS} then fold(c) end
end
local reply = {}
for _, c in ipairs(touched) do
  reply[#reply + 1] = c
  reply[#reply + 1] = live(c, current[c] ~= nil)
end
return reply
`);

/** usage: ARGV = prefix, counter. Returns { committed, reserved }. */
export const USAGE = defineScript(`${PRELUDE}
local c = ARGV[2]
purge(c)
local total, lasting, last = committed(c)
tidyCommitted(c, lasting, last)
if total < 0 then total = 0 end
return { total, reserved(c) }
`);
