import { ForesightError } from '../errors.js';
import { assertResources, type Resources } from '../resources.js';

/** A VM: the unit Foresight scores and grants resources to. Hierarchy: system ⊃ group ⊃ VM. */
export interface Vm {
  readonly id: string;
  readonly hostId: string;
  readonly groupId: string;
  readonly systemId: string;
  readonly capacity: Resources;
  readonly allocation: Resources;
  /** How much the business cares about this VM, 0..1. */
  readonly criticality: number;
}

const MAX_ID_LENGTH = 256;

/** Throws INVALID_VM with the offending field named. */
export function assertVm(vm: Vm): void {
  for (const key of ['id', 'hostId', 'groupId', 'systemId'] as const) {
    const v = vm[key];
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH) {
      throw new ForesightError('INVALID_VM', `vm.${key} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof vm.criticality !== 'number' || !Number.isFinite(vm.criticality) || vm.criticality < 0 || vm.criticality > 1) {
    throw new ForesightError('INVALID_VM', `vm ${vm.id}: criticality must be in [0, 1], got ${String(vm.criticality)}`);
  }
  try {
    assertResources(vm.capacity, `vm ${vm.id} capacity`);
    assertResources(vm.allocation, `vm ${vm.id} allocation`);
  } catch (cause) {
    throw new ForesightError('INVALID_VM', `vm ${vm.id}: ${(cause as Error).message}`, { cause });
  }
}
