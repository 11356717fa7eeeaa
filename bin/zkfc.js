#!/usr/bin/env node
// Launcher for `zkfc`: runs the daemon's bundle, dist/zkfc.mjs (built by `npm install` / `npm run
// build` with scripts/bundle-daemon.mjs): the daemon and its dependencies in one file.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
const entry = fileURLToPath(new URL('../dist/zkfc.mjs', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write(
    'zkfc: not built yet (missing ' + entry + '); run `npm install` or `npm run build` in the checkout\n',
  );
  process.exit(1);
}
// The daemon waits on sockets and timers nearly all its life: V8's optimizing (TurboFan) and
// baseline (Sparkplug) compilers speed up nothing it does measurably, yet their code, compile
// zones and machine code cost about 5 MiB resident. Without them the interpreter runs everything
// (failover times unchanged: bench/results.md). Set before any of the daemon's code loads; flags
// are not frozen after start-up in Node 20-22. Not --jitless: that also removes WebAssembly,
// which ssh2 needs for sshfence.
setFlagsFromString('--no-opt');
setFlagsFromString('--no-sparkplug');
await import(entry);
