#!/usr/bin/env node
// Launcher for `zkfc-sim`: runs the compiled entry point (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = fileURLToPath(new URL('../../build/tools/cli/sim-main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('zkfc-sim: not built yet (missing ' + entry + '); run `npm run build` in the checkout\n');
  process.exit(1);
}
await import(entry);
