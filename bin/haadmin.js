#!/usr/bin/env node
// Launcher for `haadmin`: runs the compiled entry point (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = fileURLToPath(new URL('../dist/cli/haadmin-main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(
    'haadmin: not built yet (missing ' + entry + '); run `npm install` or `npm run build` in the checkout\n',
  );
  process.exit(1);
}
await import(entry);
