// Hot scores. One incident = a sorted set (vmId by probability), a hash (vmId → etaAt) and a version string, all
// with the same TTL. Each scored VM's risk hash gets a field incidentId → "version|probability|etaAt"; a reader keeps
// a field only while the incident's version key still holds that version, so superseded and expired scores drop out
// without a sweep. TTLs here are a safety net for abandoned incidents, never lease logic.

/** KEYS: scores, etas, version, then one VM risk hash per entry. ARGV: version, ttlMs, incidentId, then vmId, probability, etaAt per entry. */
export const PUT_SCORES_SCRIPT = `
local current = redis.call('GET', KEYS[3])
if current and tonumber(current) >= tonumber(ARGV[1]) then return '0' end
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2])
local n = #KEYS - 3
for i = 1, n do
  local vmId, probability, eta = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  redis.call('ZADD', KEYS[1], probability, vmId)
  redis.call('HSET', KEYS[2], vmId, eta)
  local risk = KEYS[3 + i]
  redis.call('HSET', risk, ARGV[3], ARGV[1] .. '|' .. probability .. '|' .. eta)
  if redis.call('PTTL', risk) < ttl then redis.call('PEXPIRE', risk, ttl) end
end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ttl)
if n > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return '1'
`;
