// Hot scores. One incident = a sorted set (vmId by probability), a hash (vmId → etaAt) and a version string, all
// with the same TTL. Each scored VM's risk hash gets a field incidentId → "version|probability|etaAt"; a reader keeps
// a field only while the incident's version key still holds that version, so superseded and expired scores drop out
// of reads without a sweep. The writer removes the field of every VM a new version no longer scores (all of them when
// the incident closes), so a risk hash holds only the incidents that currently score the VM. TTLs here are a safety
// net for abandoned incidents, never lease logic.

/**
 * KEYS: scores, etas, version, then one VM risk hash per entry. ARGV: version, ttlMs, incidentId, then vmId,
 * probability, etaAt per entry. Replies {'0'} (not newer: nothing changed) or {'1', vmIds the previous version scored
 * and this one does not...}: their risk hashes are not declared here, so the caller drops their fields next
 * (DROP_VM_RISK_SCRIPT).
 */
export const PUT_SCORES_SCRIPT = `
local current = redis.call('GET', KEYS[3])
if current and tonumber(current) >= tonumber(ARGV[1]) then return {'0'} end
local ttl = tonumber(ARGV[2])
local n = #KEYS - 3
local kept = {}
for i = 1, n do kept[ARGV[3 * i + 1]] = true end
local reply = {'1'}
for _, vmId in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not kept[vmId] then reply[#reply + 1] = vmId end
end
redis.call('DEL', KEYS[1], KEYS[2])
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
return reply
`;

/**
 * KEYS: VM risk hashes. ARGV: incidentId, version. Deletes the incident's field from each hash when it holds an older
 * version than ARGV[2] (a newer version that scores the VM again is left alone); an emptied hash disappears.
 */
export const DROP_VM_RISK_SCRIPT = `
local version = tonumber(ARGV[2])
for _, risk in ipairs(KEYS) do
  local value = redis.call('HGET', risk, ARGV[1])
  if value then
    local stored = tonumber(string.match(value, '^[^|]+'))
    if stored and stored < version then redis.call('HDEL', risk, ARGV[1]) end
  end
end
return 'OK'
`;
