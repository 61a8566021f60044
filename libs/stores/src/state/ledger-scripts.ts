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

// A script reads each pool once and writes its reserved amounts (and a host's seq) back once, at the end (flush): a
// batch of many reservations on a few hosts and the one budget does not rewrite them per reservation. Every script
// that rebooks or takes a sequence number must call flush() before it returns. A pool hash holds only these fields,
// so a host whose hash has none of them does not exist (no separate EXISTS).
const POOL_HELPERS = `
local EPSILON = 1e-9
local pools = {}
local dirty = {}
local function pool(key)
  local p = pools[key]
  if p then return p end
  local v = redis.call('HMGET', key, 'cap:cpuMillis', 'cap:memoryMiB', 'cap:networkMbps', 'res:cpuMillis', 'res:memoryMiB', 'res:networkMbps', 'seq')
  p = {cap = {}, res = {}, exists = false, seq = tonumber(v[7]) or 0, seqDirty = false}
  for i = 1, 7 do
    if v[i] then p.exists = true end
  end
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
-- The host's next change number (written back by flush, atomically with the change that took it).
local function nextSeq(key, p)
  p.seq = p.seq + 1
  p.seqDirty = true
  dirty[key] = true
  return p.seq
end
local function flush()
  for key in pairs(dirty) do
    local p = pools[key]
    if p.seqDirty then
      redis.call('HSET', key, 'res:cpuMillis', p.res[1], 'res:memoryMiB', p.res[2], 'res:networkMbps', p.res[3], 'seq', p.seq)
      p.seqDirty = false
    else
      redis.call('HSET', key, 'res:cpuMillis', p.res[1], 'res:memoryMiB', p.res[2], 'res:networkMbps', p.res[3])
    end
  end
  dirty = {}
end
`;

// reserve(host, budget, command, leases, incident index, VM index, VM holdings, commandId, hostId, vmId, incidentId, cpu,
// memory, network, leaseExpiresAt, VM cap cpu, memory, network ('' = no cap)): an accepted reservation joins both
// indexes (sets of active commandIds), so reading one incident's or one VM's reservations never scans every lease, and
// adds to the VM's holdings (a pool hash without capacity fields; the command is marked `vmheld`), against which the
// VM's cap is checked. Returns the result (the first one on a replay), the command's seq and relseq (false: none):
// its record is one HSET, seq included.
const RESERVE_FUNCTION = `
local function reserve(hostKey, budgetKey, commandKey, leasesKey, incidentKey, vmKey, vmHeldKey, commandId, hostId, vmId, incidentId, cpu, memory, network, expiresAt, capCpu, capMemory, capNetwork)
  local prior = redis.call('HMGET', commandKey, 'result', 'seq', 'relseq')
  if prior[1] then return prior[1], prior[2] or false, prior[3] or false end
  local function reject(result)
    redis.call('HSET', commandKey, 'result', result, 'state', 'rejected', 'hostId', hostId, 'vmId', vmId, 'incidentId', incidentId,
      'cpuMillis', cpu, 'memoryMiB', memory, 'networkMbps', network, 'leaseExpiresAt', expiresAt)
    return result, false, false
  end
  local host = pool(hostKey)
  if not host.exists then return reject('UNKNOWN_HOST') end
  local need = {tonumber(cpu), tonumber(memory), tonumber(network)}
  if not fits(host, need) then return reject('INSUFFICIENT_CAPACITY') end
  local budget = pool(budgetKey)
  if not fits(budget, need) then return reject('BUDGET_EXCEEDED') end
  local held = pool(vmHeldKey)
  if not withinCap(held, need, capCpu, capMemory, capNetwork) then return reject('VM_CAP_EXCEEDED') end
  local none = {0, 0, 0}
  rebook(hostKey, host, none, need)
  rebook(budgetKey, budget, none, need)
  rebook(vmHeldKey, held, none, need)
  redis.call('ZADD', leasesKey, expiresAt, commandId)
  redis.call('SADD', incidentKey, commandId)
  redis.call('SADD', vmKey, commandId)
  -- An accepted reservation is written already counted in its VM's holdings (vmheld).
  local seq = nextSeq(hostKey, host)
  redis.call('HSET', commandKey, 'result', 'OK', 'state', 'active', 'hostId', hostId, 'vmId', vmId, 'incidentId', incidentId,
    'cpuMillis', cpu, 'memoryMiB', memory, 'networkMbps', network, 'leaseExpiresAt', expiresAt, 'vmheld', '1', 'seq', seq)
  return 'OK', string.format('%d', seq), false
end
`;

/** KEYS: host, budget, command, leases, the incident's and the VM's reservation index, the VM's holdings. ARGV: commandId, hostId, vmId, incidentId, cpu, memory, network, leaseExpiresAt, VM cap (three, or ''). */
export const RESERVE_SCRIPT = `${POOL_HELPERS}${RESERVE_FUNCTION}
local result = reserve(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11])
flush()
return result
`;

// release(command, host, budget, leases, incident index, VM index, VM holdings, commandId, hostId, incidentId, vmId):
// '1' when this call released it, '0' when not (not active), 'STALE' (and nothing changed) when the caller's hostId,
// incidentId or vmId is not the command's own (the keys it declared are not the command's); then its seq and relseq
// (false: none). A reservation counted in its VM's holdings (`vmheld`) leaves them.
const RELEASE_FUNCTION = `
local function release(commandKey, hostKey, budgetKey, leasesKey, incidentKey, vmKey, vmHeldKey, commandId, hostId, incidentId, vmId)
  local c = redis.call('HMGET', commandKey, 'state', 'cpuMillis', 'memoryMiB', 'networkMbps', 'vmheld', 'hostId', 'incidentId', 'vmId', 'seq', 'relseq')
  if c[1] ~= 'active' then return '0', c[9] or false, c[10] or false end
  if c[6] ~= hostId or c[7] ~= incidentId or c[8] ~= vmId then return 'STALE', false, false end
  local held = {tonumber(c[2]), tonumber(c[3]), tonumber(c[4])}
  local none = {0, 0, 0}
  local host = pool(hostKey)
  rebook(hostKey, host, held, none)
  rebook(budgetKey, pool(budgetKey), held, none)
  if c[5] then rebook(vmHeldKey, pool(vmHeldKey), held, none) end
  local relseq = nextSeq(hostKey, host)
  redis.call('HSET', commandKey, 'state', 'released', 'relseq', relseq)
  redis.call('ZREM', leasesKey, commandId)
  redis.call('SREM', incidentKey, commandId)
  redis.call('SREM', vmKey, commandId)
  return '1', c[9] or false, string.format('%d', relseq)
end
`;

/**
 * Releases, then reserves, in one atomic script, each in order exactly as one by one (a reserve sees what a release
 * freed and an earlier reserve took). KEYS: budget, leases, then per release: command, host, incident index, VM index,
 * VM holdings; then per reserve: host, command, incident index, VM index, VM holdings. ARGV: the number of releases,
 * then per release its commandId, hostId, incidentId and vmId (those its keys were made from), then per reserve the
 * eleven of RESERVE_SCRIPT. Replies three per release ('1' / '0' / 'STALE', seq, relseq) and then three per reserve
 * (result, seq, relseq; nil: none). When a release is STALE the reserves are not run (their replies are missing): the
 * caller releases the stale ones by their own keys first, so every release still comes before every reserve.
 */
export const LEDGER_BATCH_SCRIPT = `${POOL_HELPERS}${RELEASE_FUNCTION}${RESERVE_FUNCTION}
local releases = tonumber(ARGV[1])
local out = {}
local stale = false
for i = 0, releases - 1 do
  local k, a = 2 + 5 * i, 1 + 4 * i
  out[3 * i + 1], out[3 * i + 2], out[3 * i + 3] = release(KEYS[k + 1], KEYS[k + 2], KEYS[1], KEYS[2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5],
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4])
  if out[3 * i + 1] == 'STALE' then stale = true end
end
if not stale then
  for j = 0, (#KEYS - 2) / 5 - releases - 1 do
    local i = releases + j
    local k, a = 2 + 5 * i, 1 + 4 * releases + 11 * j
    out[3 * i + 1], out[3 * i + 2], out[3 * i + 3] = reserve(KEYS[k + 1], KEYS[1], KEYS[k + 2], KEYS[2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5],
      ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9], ARGV[a + 10], ARGV[a + 11])
  end
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
redis.call('HSET', KEYS[1], 'cpuMillis', ARGV[2], 'memoryMiB', ARGV[3], 'networkMbps', ARGV[4], 'seq', nextSeq(KEYS[2], host))
flush()
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
