// The ledger's Lua scripts. Redis runs a script to completion before any other command, so each script is one
// atomic check-and-set: no two allocators can both see the same free capacity. Amounts are stored as strings written
// from Lua numbers (Redis formats them losslessly) and only arithmetic happens here; replies are status strings
// because Redis truncates Lua numbers in replies to integers.
//
// Hash fields of a pool (a host or the budget): cap:<resource> and res:<resource>; a host also has seq, the number of
// the last change of its reservations (each accepted reserve, adjust and release takes the next, in the same script).
// Hash fields of a command: result, state (active|released|rejected), hostId, vmId, incidentId, the three resources,
// leaseExpiresAt, seq (its host's number of its reserve or latest adjust) and relseq (of its release). Active commands
// are also members of the leases sorted set, scored by leaseExpiresAt.

// A script reads each pool once and writes its reserved amounts back once, at the end (flush): a batch of many
// reservations on a few hosts and the one budget does not rewrite them per reservation. Every script that rebooks
// must call flush() before it returns.
const POOL_HELPERS = `
local RESOURCES = {'cpuMillis', 'memoryMiB', 'networkMbps'}
local EPSILON = 1e-9
local pools = {}
local dirty = {}
local function pool(key)
  local p = pools[key]
  if p then return p end
  local v = redis.call('HMGET', key, 'cap:cpuMillis', 'cap:memoryMiB', 'cap:networkMbps', 'res:cpuMillis', 'res:memoryMiB', 'res:networkMbps')
  p = {cap = {}, res = {}}
  for i = 1, 3 do
    p.cap[i] = tonumber(v[i]) or 0
    p.res[i] = tonumber(v[i + 3]) or 0
  end
  pools[key] = p
  return p
end
local function fits(p, need)
  for i = 1, 3 do
    if need[i] > 0 and p.res[i] + need[i] > p.cap[i] + EPSILON then return false end
  end
  return true
end
-- Whether a VM's holdings plus need stay within its cap (capCpu '' = no cap given).
local function withinCap(held, need, capCpu, capMemory, capNetwork)
  if capCpu == nil or capCpu == '' then return true end
  return fits({cap = {tonumber(capCpu), tonumber(capMemory), tonumber(capNetwork)}, res = held.res}, need)
end
local function rebook(key, p, from, to)
  for i = 1, 3 do p.res[i] = math.max(0, p.res[i] + (to[i] - from[i])) end
  dirty[key] = true
end
local function flush()
  for key in pairs(dirty) do
    local p = pools[key]
    redis.call('HSET', key, 'res:cpuMillis', p.res[1], 'res:memoryMiB', p.res[2], 'res:networkMbps', p.res[3])
  end
  dirty = {}
end
`;

// reserve(host, budget, command, leases, incident index, VM index, VM holdings, commandId, hostId, vmId, incidentId, cpu,
// memory, network, leaseExpiresAt, VM cap cpu, memory, network ('' = no cap)): an accepted reservation joins both
// indexes (sets of active commandIds), so reading one incident's or one VM's reservations never scans every lease, and
// adds to the VM's holdings (a pool hash without capacity fields; the command is marked `vmheld`), against which the
// VM's cap is checked. Replies the first result on a replay.
const RESERVE_FUNCTION = `
local function reserve(hostKey, budgetKey, commandKey, leasesKey, incidentKey, vmKey, vmHeldKey, commandId, hostId, vmId, incidentId, cpu, memory, network, expiresAt, capCpu, capMemory, capNetwork)
  local prior = redis.call('HGET', commandKey, 'result')
  if prior then return prior end
  -- An accepted reservation is written already counted in its VM's holdings (vmheld).
  local function record(result, state)
    if state == 'active' then
      redis.call('HSET', commandKey, 'result', result, 'state', state, 'hostId', hostId, 'vmId', vmId, 'incidentId', incidentId,
        'cpuMillis', cpu, 'memoryMiB', memory, 'networkMbps', network, 'leaseExpiresAt', expiresAt, 'vmheld', '1')
    else
      redis.call('HSET', commandKey, 'result', result, 'state', state, 'hostId', hostId, 'vmId', vmId, 'incidentId', incidentId,
        'cpuMillis', cpu, 'memoryMiB', memory, 'networkMbps', network, 'leaseExpiresAt', expiresAt)
    end
    return result
  end
  if redis.call('EXISTS', hostKey) == 0 then return record('UNKNOWN_HOST', 'rejected') end
  local need = {tonumber(cpu), tonumber(memory), tonumber(network)}
  local host = pool(hostKey)
  if not fits(host, need) then return record('INSUFFICIENT_CAPACITY', 'rejected') end
  local budget = pool(budgetKey)
  if not fits(budget, need) then return record('BUDGET_EXCEEDED', 'rejected') end
  local held = pool(vmHeldKey)
  if not withinCap(held, need, capCpu, capMemory, capNetwork) then return record('VM_CAP_EXCEEDED', 'rejected') end
  local none = {0, 0, 0}
  rebook(hostKey, host, none, need)
  rebook(budgetKey, budget, none, need)
  rebook(vmHeldKey, held, none, need)
  redis.call('ZADD', leasesKey, expiresAt, commandId)
  redis.call('SADD', incidentKey, commandId)
  redis.call('SADD', vmKey, commandId)
  record('OK', 'active')
  redis.call('HSET', commandKey, 'seq', redis.call('HINCRBY', hostKey, 'seq', 1))
  return 'OK'
end
`;

/** KEYS: host, budget, command, leases, the incident's and the VM's reservation index, the VM's holdings. ARGV: commandId, hostId, vmId, incidentId, cpu, memory, network, leaseExpiresAt, VM cap (three, or ''). */
export const RESERVE_SCRIPT = `${POOL_HELPERS}${RESERVE_FUNCTION}
local result = reserve(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11])
flush()
return result
`;

/**
 * Several reserves in one script, in order, exactly as one by one (a later one sees what an earlier one took).
 * KEYS: budget, leases, then per reservation: host, command, incident index, VM index, VM holdings. ARGV: per
 * reservation the eleven of RESERVE_SCRIPT. Replies one result per reservation.
 */
export const RESERVE_MANY_SCRIPT = `${POOL_HELPERS}${RESERVE_FUNCTION}
local out = {}
for i = 0, (#KEYS - 2) / 5 - 1 do
  local k, a = 2 + 5 * i, 11 * i
  out[i + 1] = reserve(KEYS[k + 1], KEYS[1], KEYS[k + 2], KEYS[2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5],
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9], ARGV[a + 10], ARGV[a + 11])
end
flush()
return out
`;

// release(command, host, budget, leases, incident index, VM index, VM holdings, commandId): '1' when this call released
// it. A reservation counted in its VM's holdings (`vmheld`) leaves them.
const RELEASE_FUNCTION = `
local function release(commandKey, hostKey, budgetKey, leasesKey, incidentKey, vmKey, vmHeldKey, commandId)
  local c = redis.call('HMGET', commandKey, 'state', 'cpuMillis', 'memoryMiB', 'networkMbps', 'vmheld')
  if c[1] ~= 'active' then return '0' end
  local held = {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])}
  local none = {0, 0, 0}
  rebook(hostKey, pool(hostKey), held, none)
  rebook(budgetKey, pool(budgetKey), held, none)
  if c[5] then rebook(vmHeldKey, pool(vmHeldKey), held, none) end
  redis.call('HSET', commandKey, 'state', 'released', 'relseq', redis.call('HINCRBY', hostKey, 'seq', 1))
  redis.call('ZREM', leasesKey, commandId)
  redis.call('SREM', incidentKey, commandId)
  redis.call('SREM', vmKey, commandId)
  return '1'
end
`;

/** Releases (one or several) in one script. KEYS: budget, leases, then per command: command, host, incident index, VM index, VM holdings. ARGV: the commandIds. Replies '1' / '0' per command. */
export const RELEASE_MANY_SCRIPT = `${POOL_HELPERS}${RELEASE_FUNCTION}
local out = {}
for i = 0, #ARGV - 1 do
  local k = 2 + 5 * i
  out[i + 1] = release(KEYS[k + 1], KEYS[k + 2], KEYS[1], KEYS[2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], ARGV[i + 1])
end
flush()
return out
`;

/** Reads the same fields of many hashes in one call. KEYS: the hashes. ARGV: the fields. Replies the HMGET replies one after another (nil for a missing field). */
export const READ_HASHES_SCRIPT = `
local out = {}
local n = #ARGV
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, n do out[(i - 1) * n + j] = v[j] end
end
return out
`;

/**
 * KEYS: command, host, budget, leases, the VM's holdings. ARGV: commandId, cpu, memory, network, leaseExpiresAt or '',
 * VM cap (three, or ''). Growth must fit the host, the budget and the VM's cap (what its reservations hold in all).
 */
export const ADJUST_SCRIPT = `${POOL_HELPERS}
local c = redis.call('HMGET', KEYS[1], 'state', 'cpuMillis', 'memoryMiB', 'networkMbps', 'vmheld')
if c[1] ~= 'active' then return 'UNKNOWN_RESERVATION' end
local from = {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])}
local to = {tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])}
local grow = {}
for i = 1, 3 do grow[i] = math.max(0, to[i] - from[i]) end
local host = pool(KEYS[2])
if not fits(host, grow) then return 'INSUFFICIENT_CAPACITY' end
local budget = pool(KEYS[3])
if not fits(budget, grow) then return 'BUDGET_EXCEEDED' end
local held = pool(KEYS[5])
-- A lease reserved before VM holdings existed (not yet counted by init) is counted now, so its growth is capped too.
local counted = c[5]
if not counted then held = {cap = held.cap, res = {held.res[1] + from[1], held.res[2] + from[2], held.res[3] + from[3]}} end
if not withinCap(held, grow, ARGV[6], ARGV[7], ARGV[8]) then return 'VM_CAP_EXCEEDED' end
rebook(KEYS[2], host, from, to)
rebook(KEYS[3], budget, from, to)
if not counted then
  pools[KEYS[5]] = held
  redis.call('HSET', KEYS[1], 'vmheld', '1')
end
rebook(KEYS[5], held, from, to)
flush()
redis.call('HSET', KEYS[1], 'cpuMillis', ARGV[2], 'memoryMiB', ARGV[3], 'networkMbps', ARGV[4], 'seq', redis.call('HINCRBY', KEYS[2], 'seq', 1))
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'leaseExpiresAt', ARGV[5])
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
end
return 'OK'
`;

/**
 * Counts an active reservation made before VM holdings existed into its VM's holdings, once (the `vmheld` mark).
 * KEYS: command, the VM's holdings. Replies '1' when this call counted it.
 */
export const COUNT_VM_HOLDING_SCRIPT = `${POOL_HELPERS}
local c = redis.call('HMGET', KEYS[1], 'state', 'cpuMillis', 'memoryMiB', 'networkMbps', 'vmheld')
if c[1] ~= 'active' or c[5] then return '0' end
rebook(KEYS[2], pool(KEYS[2]), {0, 0, 0}, {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])})
flush()
redis.call('HSET', KEYS[1], 'vmheld', '1')
return '1'
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
