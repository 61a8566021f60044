// `foresight demo otel` runs this file (node apps/otel-demo/dist/src/demo-main.js [options]).
import { otelDemo } from './otel-demo.js';

process.exitCode = await otelDemo(process.argv.slice(2));
