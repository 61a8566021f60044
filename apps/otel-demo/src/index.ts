// Public API of @foresight/otel-demo: the instrumented shop behind `foresight demo otel`.
export { otelDemo, type DemoOutput } from './otel-demo.js';
export { DEMO_USAGE, DemoUsageError, parseDemoArgs, parseDuration, parseFaultSpec, type DemoOptions } from './demo-options.js';
export { burnCpu, describeFault, FaultError, FaultSwitch, NO_FAULT, parseFault, type Fault, type FaultEffect } from './fault-switch.js';
export { startShopService, type Downstream, type RunningShopService, type ShopServiceOptions, type ShopStats } from './shop-service.js';
export { callersOf, ENTRY, SHOP, type ShopNode } from './shop-topology.js';
export { shopResourceAttributes, startDemoTelemetry, type DemoTelemetry } from './demo-telemetry.js';
export { emptyWindow, quantile, startLoad, type LoadGenerator, type LoadWindow } from './load-generator.js';
export { formatLiveLine, type LiveState } from './live-line.js';
export { OtelRiskLine } from './otel-risk-line.js';
export { DEMO_GRANT_THRESHOLD, startDemoPipeline, type DemoPipeline, type PipelineSettings } from './demo-pipeline.js';
