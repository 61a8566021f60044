import { DEFAULT_ALLOCATION_POLICY, DEFAULT_MAX_GRANTS_PER_MINUTE, type AllocationPolicy, type Resources } from '@foresight/core';
import type { AllocationMode } from '@foresight/contracts';

/** What the allocator is configured with (read from the environment by config.ts, or given by the embedded mode). */
export interface AllocatorSettings {
  /** The mode of systems listed in neither list. */
  readonly defaultMode: AllocationMode;
  /** Systems that only publish what they would do (mode SHADOW, nothing reserved). */
  readonly shadowSystems: readonly string[];
  /** Systems that act for real even when the default mode is SHADOW. */
  readonly enforceSystems: readonly string[];
  /** Cluster-wide proactive budget (the ledger's setBudget). */
  readonly budget: Resources;
  /** Ceiling on the sum of one VM's grants over all its incidents. */
  readonly vmCap: Resources;
  /** Guardrail: at most this many GRANTs per event-time minute (per mode), over all instances. */
  readonly maxGrantsPerMinute: number;
  /** Lease and ranking knobs of the core policy. */
  readonly policy: AllocationPolicy;
  /** The model whose published versions set thresholds and grant sizes. */
  readonly modelId: string;
  /** Criticality of a VM the inventory has not reported yet. */
  readonly defaultCriticality: number;
}

/** Defaults: enforce everywhere, 8 cores / 16 GiB / 2 Gbps of budget, 2 cores / 4 GiB / 500 Mbps per VM, 120 grants a minute. */
export const DEFAULT_ALLOCATOR_SETTINGS: AllocatorSettings = Object.freeze({
  defaultMode: 'ENFORCE',
  shadowSystems: [],
  enforceSystems: [],
  budget: { cpuMillis: 8_000, memoryMiB: 16_384, networkMbps: 2_000 },
  vmCap: { cpuMillis: 2_000, memoryMiB: 4_096, networkMbps: 500 },
  maxGrantsPerMinute: DEFAULT_MAX_GRANTS_PER_MINUTE,
  policy: DEFAULT_ALLOCATION_POLICY,
  modelId: 'foresight',
  defaultCriticality: 0.5,
});

/** The mode a system's incidents are handled in. */
export function modeOf(settings: AllocatorSettings, systemId: string): AllocationMode {
  if (settings.shadowSystems.includes(systemId)) return 'SHADOW';
  if (settings.enforceSystems.includes(systemId)) return 'ENFORCE';
  return settings.defaultMode;
}
