// Hot scores. One incident = a sorted set (vmId by probability), a hash (vmId → etaAt) and a version string, all
// with the same TTL, and a member of the live-incidents index (a sorted set: incidentId by when its scores expire).
// There is no per-VM index: a VM's risk is read from the live incidents' sets (one MULTI), so a version costs a few
// commands whatever number of VMs it scores, and a dropped VM or a closed incident leaves nothing to clean up. The
// index is pruned of expired incidents by every put; a reader also skips any incident whose version key is gone.
// TTLs here are a safety net for abandoned incidents, never lease logic.

/**
 * Puts the scores of several incident versions, each applied only when newer than the stored version, in order (a
 * later item of the same incident sees the earlier one). KEYS: the live-incidents index, then per item: scores, etas,
 * version. ARGV: ttlMs, then per item: incidentId, version, entry count n, then vmId, probability, etaAt per entry.
 * Replies '1' (applied) or '0' (not newer: nothing changed) per item. A version with no entries (CLOSED) leaves only
 * its version key, and leaves the index.
 */
export const PUT_SCORES_SCRIPT = `
local live = KEYS[1]
local ttl = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', live, '-inf', now)
local reply = {}
local k = 1
local a = 1
local CHUNK = 500
while a < #ARGV do
  local incidentId, version, n = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  a = a + 3
  local scores, etas, versionKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local current = redis.call('GET', versionKey)
  if current and tonumber(current) >= tonumber(version) then
    reply[#reply + 1] = '0'
  else
    redis.call('DEL', scores, etas)
    local z, h = {}, {}
    for i = 1, n do
      local vmId, probability, eta = ARGV[a + 3 * i - 2], ARGV[a + 3 * i - 1], ARGV[a + 3 * i]
      z[#z + 1] = probability
      z[#z + 1] = vmId
      h[#h + 1] = vmId
      h[#h + 1] = eta
      if #z >= 2 * CHUNK or i == n then
        redis.call('ZADD', scores, unpack(z))
        redis.call('HSET', etas, unpack(h))
        z, h = {}, {}
      end
    end
    redis.call('SET', versionKey, version, 'PX', ttl)
    if n > 0 then
      redis.call('PEXPIRE', scores, ttl)
      redis.call('PEXPIRE', etas, ttl)
      redis.call('ZADD', live, now + ttl, incidentId)
    else
      redis.call('ZREM', live, incidentId)
    end
    reply[#reply + 1] = '1'
  end
  k = k + 3
  a = a + 3 * n
end
return reply
`;
