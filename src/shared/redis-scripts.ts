// Lua scripts: each read-modify-write of shared state runs in Redis as one atomic step, so two
// processes taking from one bucket or counting one quota never lose an update. Numbers travel as
// strings; numbers handed to redis.call are written exactly (Redis 7 writes the shortest exact form).

/** Token bucket: refill by elapsed time, then take. KEYS[1] the bucket (hash tokens, at).
 *  ARGV rate/s, burst, cost, now in ms ('' = Redis's own TIME, so hosts' clocks do not matter;
 *  a time is given only by tests that move a clock). Returns {allowed 0|1, remaining, retryAfterMs}. */
export const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now
if ARGV[4] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[4])
end
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
elseif now > at then
  tokens = tokens + (now - at) * rate / 1000
  at = now
end
if tokens > burst then tokens = burst end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
elseif rate > 0 and cost <= burst then
  retry = math.ceil((cost - tokens) * 1000 / rate)
else
  retry = -1
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
-- Left alone, the bucket is full again after this long, and a full bucket is the same as none.
-- A bucket that never refills (rate 0) is kept a day.
local ttl = 86400000
if rate > 0 then ttl = math.ceil((burst - tokens) * 1000 / rate) + 1000 end
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, math.floor(tokens), retry}
`;

/** Quota: count `cost` against the period and the day when the quota allows it. KEYS[1] the
 *  period (hash used, adjusted, remaining, usedAt), KEYS[2] the day's count. ARGV limit, cost,
 *  period TTL s, day TTL s. Returns {allowed 0|1, used, remaining}. */
export const CONSUME = `
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'used', 'adjusted', 'remaining', 'usedAt')
local used = tonumber(s[1]) or 0
local remaining
if s[2] then
  remaining = tonumber(s[3]) - (used - tonumber(s[4]))
else
  remaining = limit - used
end
if remaining < cost then
  if remaining < 0 then remaining = 0 end
  return {0, used, remaining}
end
used = redis.call('HINCRBY', KEYS[1], 'used', cost)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('INCRBY', KEYS[2], cost)
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {1, used, remaining - cost}
`;

/** UpdateUsage: from now on the period has ARGV[1] requests left. KEYS[1] the period; ARGV[2] its TTL s. */
export const ADJUST = `
local used = redis.call('HGET', KEYS[1], 'used') or '0'
redis.call('HSET', KEYS[1], 'used', used, 'adjusted', '1', 'remaining', ARGV[1], 'usedAt', used)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Cache set within a byte bound. KEYS: [1] this entry's value, [2] index (zset member → expiry
 *  µs), [3] sizes (hash member → bytes), [4] total bytes. ARGV: member, value, ttl ms, max bytes,
 *  value key prefix. Expired entries are dropped first (100 at most per call, so a set stays
 *  short); then, while over the bound, the entry that expires soonest (Redis's volatile-ttl rule).
 *  Returns 1 when stored, 0 when the entry alone exceeds the bound. */
export const CACHE_SET = `
-- Scores are expiry times in microseconds (exact in a double until the year 2255), so entries
-- set one after another never tie and the newest is evicted last.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local member = ARGV[1]
local ttl = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local kp = ARGV[5]
local delta = 0
local function drop(m)
  local sz = tonumber(redis.call('HGET', KEYS[3], m) or '0')
  redis.call('HDEL', KEYS[3], m)
  redis.call('ZREM', KEYS[2], m)
  redis.call('DEL', kp .. m)
  delta = delta - sz
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)) do drop(m) end
if redis.call('HEXISTS', KEYS[3], member) == 1 then drop(member) end
local size = string.len(ARGV[2]) + string.len(member)
local stored = 0
if size <= max and ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
  redis.call('ZADD', KEYS[2], now + ttl * 1000, member)
  redis.call('HSET', KEYS[3], member, size)
  delta = delta + size
  stored = 1
  local bytes = tonumber(redis.call('GET', KEYS[4]) or '0') + delta
  while bytes > max do
    local first = redis.call('ZRANGE', KEYS[2], 0, 0)
    if #first == 0 then break end
    local before = delta
    drop(first[1])
    bytes = bytes + (delta - before)
  end
end
if delta ~= 0 then redis.call('INCRBY', KEYS[4], delta) end
-- The bookkeeping lives as long as the longest-lived entry, so an abandoned cache goes away.
local keep = ttl + 1000
for i = 2, 4 do
  if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
return stored
`;

/** Cache delete of the members in ARGV[2..]. KEYS: [1] index, [2] sizes, [3] total bytes.
 *  ARGV[1] value key prefix. Returns how many live entries were deleted. */
export const CACHE_DELETE = `
local n = 0
local freed = 0
for i = 2, #ARGV do
  local m = ARGV[i]
  local sz = redis.call('HGET', KEYS[2], m)
  if sz then
    freed = freed + tonumber(sz)
    redis.call('HDEL', KEYS[2], m)
    redis.call('ZREM', KEYS[1], m)
  end
  n = n + redis.call('DEL', ARGV[1] .. m)
end
if freed > 0 then redis.call('DECRBY', KEYS[3], freed) end
return n
`;

type Arg = string | number | Buffer;

/** The scripts as functions of a client (ioredis sends EVALSHA, and EVAL once after Redis
 *  restarted and forgot them). */
export interface Scripts {
  ghTake(key: string, rate: Arg, burst: Arg, cost: Arg, now: Arg): Promise<[number, number, number]>;
  ghConsume(period: string, day: string, limit: Arg, cost: Arg, periodTtl: Arg, dayTtl: Arg): Promise<[number, number, number]>;
  ghAdjust(period: string, remaining: Arg, ttl: Arg): Promise<number>;
  ghCacheSet(value: string, index: string, sizes: string, bytes: string, member: string, data: Arg, ttlMs: Arg, maxBytes: Arg, valuePrefix: string): Promise<number>;
  ghCacheDelete(index: string, sizes: string, bytes: string, valuePrefix: string, ...members: string[]): Promise<number>;
}

interface Definer {
  defineCommand(name: string, definition: { lua: string; numberOfKeys: number }): void;
}

export function defineScripts(client: Definer): Scripts {
  client.defineCommand('ghTake', { lua: TAKE, numberOfKeys: 1 });
  client.defineCommand('ghConsume', { lua: CONSUME, numberOfKeys: 2 });
  client.defineCommand('ghAdjust', { lua: ADJUST, numberOfKeys: 1 });
  client.defineCommand('ghCacheSet', { lua: CACHE_SET, numberOfKeys: 4 });
  client.defineCommand('ghCacheDelete', { lua: CACHE_DELETE, numberOfKeys: 3 });
  return client as unknown as Scripts;
}
