// The ledger's Lua scripts. Redis runs a script to completion before any other command, so each script is one
// atomic check-and-set: no two allocators can both see the same free capacity. Amounts are stored as strings written
// from Lua numbers (Redis formats them losslessly) and only arithmetic happens here; replies are status strings
// because Redis truncates Lua numbers in replies to integers.
//
// Hash fields of a pool (a host or the budget): cap:<resource> and res:<resource>.
// Hash fields of a command: result, state (active|released|rejected), hostId, vmId, incidentId, the three resources,
// leaseExpiresAt. Active commands are also members of the leases sorted set, scored by leaseExpiresAt.

const POOL_HELPERS = `
local RESOURCES = {'cpuMillis', 'memoryMiB', 'networkMbps'}
local EPSILON = 1e-9
local function pool(key)
  local v = redis.call('HMGET', key, 'cap:cpuMillis', 'cap:memoryMiB', 'cap:networkMbps', 'res:cpuMillis', 'res:memoryMiB', 'res:networkMbps')
  local p = {cap = {}, res = {}}
  for i = 1, 3 do
    p.cap[i] = tonumber(v[i]) or 0
    p.res[i] = tonumber(v[i + 3]) or 0
  end
  return p
end
local function fits(p, need)
  for i = 1, 3 do
    if need[i] > 0 and p.res[i] + need[i] > p.cap[i] + EPSILON then return false end
  end
  return true
end
local function rebook(key, p, from, to)
  for i = 1, 3 do
    redis.call('HSET', key, 'res:' .. RESOURCES[i], math.max(0, p.res[i] + (to[i] - from[i])))
  end
end
`;

/**
 * KEYS: host, budget, command, leases, the incident's and the VM's reservation index. ARGV: commandId, hostId, vmId,
 * incidentId, cpu, memory, network, leaseExpiresAt. An accepted reservation joins both indexes (sets of active
 * commandIds), so reading one incident's or one VM's reservations never scans every lease.
 */
export const RESERVE_SCRIPT = `${POOL_HELPERS}
local prior = redis.call('HGET', KEYS[3], 'result')
if prior then return prior end
local function record(result, state)
  redis.call('HSET', KEYS[3], 'result', result, 'state', state, 'hostId', ARGV[2], 'vmId', ARGV[3], 'incidentId', ARGV[4],
    'cpuMillis', ARGV[5], 'memoryMiB', ARGV[6], 'networkMbps', ARGV[7], 'leaseExpiresAt', ARGV[8])
  return result
end
if redis.call('EXISTS', KEYS[1]) == 0 then return record('UNKNOWN_HOST', 'rejected') end
local need = {tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])}
local host = pool(KEYS[1])
if not fits(host, need) then return record('INSUFFICIENT_CAPACITY', 'rejected') end
local budget = pool(KEYS[2])
if not fits(budget, need) then return record('BUDGET_EXCEEDED', 'rejected') end
local none = {0, 0, 0}
rebook(KEYS[1], host, none, need)
rebook(KEYS[2], budget, none, need)
redis.call('ZADD', KEYS[4], ARGV[8], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[6], ARGV[1])
return record('OK', 'active')
`;

/** KEYS: command, host, budget, leases, the incident's and the VM's reservation index. ARGV: commandId. Replies '1' when this call released the reservation. */
export const RELEASE_SCRIPT = `${POOL_HELPERS}
local c = redis.call('HMGET', KEYS[1], 'state', 'cpuMillis', 'memoryMiB', 'networkMbps')
if c[1] ~= 'active' then return '0' end
local held = {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])}
local none = {0, 0, 0}
rebook(KEYS[2], pool(KEYS[2]), held, none)
rebook(KEYS[3], pool(KEYS[3]), held, none)
redis.call('HSET', KEYS[1], 'state', 'released')
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
redis.call('SREM', KEYS[6], ARGV[1])
return '1'
`;

/** KEYS: command, host, budget, leases. ARGV: commandId, cpu, memory, network, leaseExpiresAt or ''. */
export const ADJUST_SCRIPT = `${POOL_HELPERS}
local c = redis.call('HMGET', KEYS[1], 'state', 'cpuMillis', 'memoryMiB', 'networkMbps')
if c[1] ~= 'active' then return 'UNKNOWN_RESERVATION' end
local from = {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])}
local to = {tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}
local grow = {}
for i = 1, 3 do grow[i] = math.max(0, to[i] - from[i]) end
local host = pool(KEYS[2])
if not fits(host, grow) then return 'INSUFFICIENT_CAPACITY' end
local budget = pool(KEYS[3])
if not fits(budget, grow) then return 'BUDGET_EXCEEDED' end
rebook(KEYS[2], host, from, to)
rebook(KEYS[3], budget, from, to)
redis.call('HSET', KEYS[1], 'cpuMillis', ARGV[2], 'memoryMiB', ARGV[3], 'networkMbps', ARGV[4])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'leaseExpiresAt', ARGV[5])
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
end
return 'OK'
`;

/** KEYS: the quota counter. ARGV: count, limit, ttlMs. Replies how many units were taken (as a status string). */
export const TAKE_QUOTA_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = math.min(tonumber(ARGV[1]), math.max(0, tonumber(ARGV[2]) - used))
if n > 0 then
  local total = redis.call('INCRBY', KEYS[1], n)
  if total == n then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return tostring(n)
`;
