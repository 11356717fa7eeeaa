#!/usr/bin/env node
// Launcher for `zkfc`: runs the daemon's bundle, dist/zkfc.cjs (built by `npm install` / `npm run
// build` with scripts/bundle-daemon.mjs): the daemon and its dependencies in one file, compiled
// with its V8 code cache, dist/zkfc.cjs.cache, when V8 accepts it (see bundle-daemon.mjs).
// `NODE_DEBUG=zkfc` says how the bundle was loaded. CommonJS (bin/package.json): a CommonJS main
// starts without Node's ES module loader, about 15 ms sooner (`npm run bench`, start-up).
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { debuglog } = require('node:util');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'zkfc.cjs');
const codeCache = `${bundle}.cache`;
if (!existsSync(bundle)) {
  process.stderr.write(
    'zkfc: not built yet (missing ' + bundle + '); run `npm install` or `npm run build` in the checkout\n',
  );
  process.exit(1);
}
// The daemon waits on sockets and timers nearly all its life: V8's optimizing (TurboFan) and
// baseline (Sparkplug) compilers speed up nothing it does measurably, yet their code, compile
// zones and machine code cost about 5 MiB resident. Without them the interpreter runs everything
// (failover times unchanged: bench/results.md). Set before any of the daemon's code loads; flags
// are not frozen after start-up in Node 20-22. Not --jitless: that also removes WebAssembly,
// which ssh2 needs for sshfence. (The code cache is made with these flags: V8 uses it only when
// the daemon runs with the same ones.)
setFlagsFromString('--no-opt');
setFlagsFromString('--no-sparkplug');

const debug = debuglog('zkfc');
// The bundle's first line: `// zkfc daemon bundle <sha-256 of its text>`; the cache starts with it.
const firstLine = (text) => text.slice(0, text.indexOf('\n') + 1);

/**
 * Loads the bundle and returns its `main` (src/cli/zkfc-main.ts); with `writeCache` (the build),
 * writes the code cache instead. In a function so that nothing of the loading (the text, the cache
 * buffer) stays reachable from this module's scope for the life of the process.
 */
function loadBundle(writeCache) {
  const require = createRequire(bundle);
  // Node 20 maps stack traces of CommonJS modules, not of node:vm scripts: with source maps on
  // (--enable-source-maps, for debugging), the bundle loads as a module without the cache.
  const sourceMaps =
    process.sourceMapsEnabled ??
    [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--enable-source-maps');
  if (sourceMaps && !writeCache) {
    debug('bundle loaded as a CommonJS module (source maps on), without the code cache');
    return require(bundle).main;
  }
  const text = readFileSync(bundle, 'utf8');
  const header = Buffer.from(firstLine(text));
  let cachedData;
  if (!writeCache) {
    try {
      const cache = readFileSync(codeCache);
      if (cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
      else debug('code cache %s is from another build of the bundle', codeCache);
    } catch (error) {
      debug('no code cache: %s', error.message);
    }
  }
  // The CommonJS module wrapper, on the bundle's first line (a comment), so positions in the
  // bundle and its source map stay right.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${text}\n})`, {
    filename: bundle,
    cachedData,
  });
  if (cachedData !== undefined)
    debug(script.cachedDataRejected ? 'code cache rejected by V8 (other V8 version or flags)' : 'code cache used');
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
  if (writeCache) writeFileSync(codeCache, Buffer.concat([header, script.createCachedData()]));
  return module.exports.main;
}

if (process.env.ZKFC_WRITE_CODE_CACHE === '1') loadBundle(true);
else loadBundle(false)();
