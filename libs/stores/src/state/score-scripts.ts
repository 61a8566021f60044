// Hot scores. One incident = a sorted set (vmId by probability), a hash (vmId → etaAt) and a version string, all
// with the same TTL. Each scored VM's risk hash gets a field incidentId → "version|probability|etaAt"; a reader keeps
// a field only while the incident's version key still holds that version, so superseded and expired scores drop out
// of reads without a sweep. The writer removes the field of every VM a new version no longer scores (all of them when
// the incident closes), so a risk hash holds only the incidents that currently score the VM. TTLs here are a safety
// net for abandoned incidents, never lease logic.
// The scripts take many incidents per call (the versions a scorer run or tick writes): one EVALSHA per write, not
// one per incident version.

/**
 * Puts the scores of several incident versions, each applied only when newer than the stored version, in order (a
 * later item of the same incident sees the earlier one). KEYS, per item: scores, etas, version, one VM risk hash per
 * entry, then the risk hashes of VMs the caller expects the previous version to have scored and this one not to.
 * ARGV: ttlMs, then per item: incidentId, version, entry count n, expected count m, vmId, probability, etaAt per
 * entry, then the m expected vmIds. Replies, per item: '0' (not newer: nothing changed) or '1', then how many vmIds
 * follow, then the vmIds the previous version scored and this one does not whose risk hashes were not declared: the
 * caller drops their fields next (DROP_VM_RISK_SCRIPT). A declared one loses the incident's field here, in the same
 * atomic call (no newer version can have written it in between).
 */
export const PUT_SCORES_SCRIPT = `
local ttl = tonumber(ARGV[1])
local reply = {}
local k = 0
local a = 1
local CHUNK = 500
while a < #ARGV do
  local incidentId, version, n, m = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  a = a + 4
  local scores, etas, versionKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local current = redis.call('GET', versionKey)
  if current and tonumber(current) >= tonumber(version) then
    reply[#reply + 1] = '0'
  else
    local kept = {}
    for i = 1, n do kept[ARGV[a + 3 * i - 2]] = true end
    local declared = {}
    for j = 1, m do declared[ARGV[a + 3 * n + j]] = KEYS[k + 3 + n + j] end
    local dropped = {}
    for _, vmId in ipairs(redis.call('ZRANGE', scores, 0, -1)) do
      if not kept[vmId] then
        if declared[vmId] then redis.call('HDEL', declared[vmId], incidentId) else dropped[#dropped + 1] = vmId end
      end
    end
    redis.call('DEL', scores, etas)
    local z, h = {}, {}
    for i = 1, n do
      local vmId, probability, eta = ARGV[a + 3 * i - 2], ARGV[a + 3 * i - 1], ARGV[a + 3 * i]
      z[#z + 1] = probability
      z[#z + 1] = vmId
      h[#h + 1] = vmId
      h[#h + 1] = eta
      local risk = KEYS[k + 3 + i]
      redis.call('HSET', risk, incidentId, version .. '|' .. probability .. '|' .. eta)
      -- Extends, never shortens (Redis 7: GT skips a hash without TTL, which NX then sets): one call when it exists.
      if redis.call('PEXPIRE', risk, ttl, 'GT') == 0 then redis.call('PEXPIRE', risk, ttl, 'NX') end
      if #z >= 2 * CHUNK then
        redis.call('ZADD', scores, unpack(z))
        redis.call('HSET', etas, unpack(h))
        z, h = {}, {}
      end
    end
    if #z > 0 then
      redis.call('ZADD', scores, unpack(z))
      redis.call('HSET', etas, unpack(h))
    end
    redis.call('SET', versionKey, version, 'PX', ttl)
    if n > 0 then
      redis.call('PEXPIRE', scores, ttl)
      redis.call('PEXPIRE', etas, ttl)
    end
    reply[#reply + 1] = '1'
    reply[#reply + 1] = tostring(#dropped)
    for _, vmId in ipairs(dropped) do reply[#reply + 1] = vmId end
  end
  k = k + 3 + n + m
  a = a + 3 * n + m
end
return reply
`;

/**
 * KEYS: VM risk hashes. ARGV: incidentId, version per key. Deletes the incident's field from each hash when it holds
 * an older version than the one given (a newer version that scores the VM again is left alone); an emptied hash
 * disappears.
 */
export const DROP_VM_RISK_SCRIPT = `
for i, risk in ipairs(KEYS) do
  local incidentId, version = ARGV[2 * i - 1], tonumber(ARGV[2 * i])
  local value = redis.call('HGET', risk, incidentId)
  if value then
    local stored = tonumber(string.match(value, '^[^|]+'))
    if stored and stored < version then redis.call('HDEL', risk, incidentId) end
  end
end
return 'OK'
`;
