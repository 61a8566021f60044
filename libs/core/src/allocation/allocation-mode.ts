/** ENFORCE: the ledger reserves and the actuator acts. SHADOW: the allocator only says what it would do. */
export type AllocationMode = 'ENFORCE' | 'SHADOW';
