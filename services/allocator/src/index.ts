export { createAllocator, type Allocator, type AllocatorDeps } from './allocator.js';
export { DEFAULT_ALLOCATOR_SETTINGS, modeOf, type AllocatorSettings } from './allocator-settings.js';
export { NO_ALLOCATOR_METRICS, type AllocatorMetrics, type GrantRefusal, type StateLossCause } from './allocator-metrics.js';
export { commandIdFor, commandSubject, type CommandCause, type CommandStep } from '@foresight/core';
export { readAllocatorConfig, type AllocatorConfig } from './config.js';
export { allocatorService, runAllocator } from './main.js';
