/**
 * The token bucket in Lua, so a take is atomic and one round trip across every process. Time is the Redis
 * server's. The key expires when the bucket would be full again: an idle visitor costs nothing.
 */
import { defineScript } from './script.js';

/** KEYS[1] = bucket; ARGV = burst, refillMs. Returns 1 when a token was taken, 0 when the bucket is empty. */
export const TAKE = defineScript(`
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local burst, refillMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if not tokens or not at then tokens, at = burst, now end
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed / refillMs)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((burst - tokens) * refillMs) + 1))
return allowed
`);
