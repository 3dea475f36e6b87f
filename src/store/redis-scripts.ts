/**
 * The Lua scripts of the Redis backend. Each runs atomically inside Redis, so
 * a chain is walked, and its expiry refreshed, in one round trip however long
 * it is, and a deletion never leaves the indexes half updated.
 *
 * Keys, under the deployment's prefix P:
 * - `P schema`       the layout version (REDIS_SCHEMA_VERSION);
 * - `P turn:<id>`    one hash per turn: v, parent ('' for none), created,
 *                    used (last use), input, output, response (JSON), calls
 *                    (JSON list of its tool-call keys); expires the TTL after
 *                    its last use;
 * - `P used`         sorted set of turn ids by last use (expiry sweeps, counts);
 * - `P sizes`        hash turn id → bytes of stored JSON;
 * - `P bytes`        the sum of `P sizes`;
 * - `P calls`        hash tool-call key → id of the latest turn that made it;
 * - `P usage`        the usage ledger (src/usage/redis-ledger.ts): sorted set
 *                    of records by start time, each carrying its own format.
 * A continuation costs one round trip when this relay has parsed every turn
 * before, two otherwise. The scripts build turn keys from the prefix, so the backend needs a single
 * Redis (or Valkey) primary, not Redis Cluster.
 */

/** The layout written by this version; a Redis holding a newer one is refused. */
export const REDIS_SCHEMA_VERSION = 1;

/** Longest chain walked (a guard against a corrupt parent cycle). */
export const MAX_CHAIN_TURNS = 100_000;

/** Removes one turn and its index entries; returns 1 when the turn existed. */
const REMOVE_TURN = `
local function remove_turn(prefix, id)
  local key = prefix .. 'turn:' .. id
  local calls = redis.call('HGET', key, 'calls')
  local existed = redis.call('DEL', key)
  redis.call('ZREM', prefix .. 'used', id)
  local size = redis.call('HGET', prefix .. 'sizes', id)
  if size then
    redis.call('HDEL', prefix .. 'sizes', id)
    redis.call('DECRBY', prefix .. 'bytes', size)
  end
  if calls then
    for _, call in ipairs(cjson.decode(calls)) do
      if redis.call('HGET', prefix .. 'calls', call) == id then redis.call('HDEL', prefix .. 'calls', call) end
    end
  end
  return existed
end
`;

/**
 * ARGV: prefix, id, cutoff, now, ttl ms, max turns.
 * Returns {'missing'}, {'found', '', ids} or {'broken', missing id, ids}, ids
 * newest first. Only ids: the caller fetches the turns it has not parsed
 * before. Every turn walked gets its last use and expiry refreshed, so
 * continuing a conversation keeps all of it.
 */
export const CHAIN_SCRIPT = `
local prefix, id, cutoff, now, ttl, limit = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], tonumber(ARGV[6])
local ids = {}
while true do
  local key = prefix .. 'turn:' .. id
  local fields = redis.call('HMGET', key, 'parent', 'used')
  if not fields[2] or tonumber(fields[2]) < cutoff then
    if #ids == 0 then return {'missing'} end
    return {'broken', id, ids}
  end
  redis.call('HSET', key, 'used', now)
  redis.call('PEXPIRE', key, ttl)
  redis.call('ZADD', prefix .. 'used', now, id)
  ids[#ids + 1] = id
  if fields[1] == '' then return {'found', '', ids} end
  if #ids >= limit then return {'broken', fields[1], ids} end
  id = fields[1]
end
`;

/** ARGV: prefix, id. Returns 1 when the turn existed. */
export const DELETE_SCRIPT = `${REMOVE_TURN}
return remove_turn(ARGV[1], ARGV[2])
`;

/**
 * ARGV: prefix, cutoff, batch size. Removes up to a batch of turns unused
 * since the cutoff (including index entries of turns Redis already expired or
 * evicted); returns how many, and whether the call index is now empty.
 */
export const SWEEP_SCRIPT = `${REMOVE_TURN}
local prefix = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', prefix .. 'used', '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do remove_turn(prefix, id) end
return {#ids, redis.call('HLEN', prefix .. 'calls')}
`;
