#!/usr/bin/env node
// The `foresight` command (compiled from apps/foresight/src; run `npm run build` first).
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
