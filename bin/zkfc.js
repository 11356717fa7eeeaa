#!/usr/bin/env node
// Launcher for `zkfc`: runs the daemon's bundle, dist/zkfc.cjs (built by `npm install` / `npm run
// build` with scripts/bundle-daemon.mjs): the daemon and its dependencies in one file, compiled
// with its V8 code cache, dist/zkfc.cjs.cache, when V8 accepts it (see bundle-daemon.mjs).
// `NODE_DEBUG=zkfc` says how the bundle was loaded. CommonJS (bin/package.json): a CommonJS main
// starts without Node's ES module loader, about 15 ms sooner (`npm run bench`, start-up).
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { builtinModules, createRequire } = require('node:module');
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
/**
 * The daemon waits on sockets and timers nearly all its life: V8's optimizing (TurboFan) and
 * baseline (Sparkplug) compilers speed up nothing it does measurably, yet their code, compile
 * zones and machine code cost about 5 MiB resident. Without them the interpreter runs everything
 * (failover times unchanged: bench/results.md). Set before any of the daemon's code loads; flags
 * are not frozen after start-up in Node 20-22. Not --jitless: that also removes WebAssembly,
 * which ssh2 needs for sshfence. (The code cache is made with these flags: V8 uses it only when
 * the daemon runs with the same ones.)
 *
 * Other V8 flags than Node was built with also make V8 reject the code cache Node embeds for its
 * own modules (net, http, child_process...): each is then compiled from its source, which doubled
 * what loading them costs. So the Node modules the bundle loads are loaded first, with the
 * flags Node was built with, and the flags are set after them (`builtins`: recorded by the build
 * in the code cache's header; none without a cache).
 */
function interpreterOnly(builtins) {
  for (const name of builtins) {
    try {
      require(name);
    } catch {
      // A module of another Node version (the cache is then rejected too): loaded later, or never.
    }
  }
  setFlagsFromString('--no-opt');
  setFlagsFromString('--no-sparkplug');
}

const debug = debuglog('zkfc');
// The code cache starts with three lines: the bundle's first line (`// zkfc daemon bundle <sha-256
// of its text>`), `// builtins <name>,<name>...` (the Node modules the daemon loads) and
// `// made from <how>` (what ran when it was made); then V8's data.
const firstLine = (text) => text.slice(0, text.indexOf('\n') + 1);
const BUILTINS_PREFIX = '// builtins ';
const MADE_FROM_PREFIX = '// made from ';

/**
 * What the build asks for in ZKFC_WRITE_CODE_CACHE (scripts/bundle-daemon.mjs): `top-level`
 * writes the cache once the bundle's modules have loaded and runs nothing; `start-up` runs the
 * daemon with the given arguments and writes the cache when the process exits, so that it also
 * holds what a daemon's start-up compiles (the configuration, the logger, the listeners...).
 */
const WRITE_MODES = ['top-level', 'start-up'];

/**
 * Loads the bundle and returns its `main` (src/cli/zkfc-main.ts); with `writeMode` (the build),
 * also writes the code cache (see WRITE_MODES). In a function so that nothing of the loading (the
 * text, the cache buffer) stays reachable from this module's scope for the life of the process.
 */
function loadBundle(writeMode) {
  const require = createRequire(bundle);
  // Node 20 maps stack traces of CommonJS modules, not of node:vm scripts: with source maps on
  // (--enable-source-maps, for debugging), the bundle loads as a module without the cache.
  const sourceMaps =
    process.sourceMapsEnabled ??
    [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--enable-source-maps');
  if (sourceMaps && writeMode === undefined) {
    debug('bundle loaded as a CommonJS module (source maps on), without the code cache');
    interpreterOnly([]);
    return require(bundle).main;
  }
  const text = readFileSync(bundle, 'utf8');
  const header = Buffer.from(firstLine(text));
  let cachedData;
  let builtins = [];
  if (writeMode === undefined) {
    try {
      const cache = readFileSync(codeCache);
      const builtinsEnd = cache.indexOf(0x0a, header.length);
      const madeFromEnd = builtinsEnd < 0 ? -1 : cache.indexOf(0x0a, builtinsEnd + 1);
      const builtinsLine = cache.toString('latin1', header.length, builtinsEnd);
      const madeFromLine = cache.toString('latin1', builtinsEnd + 1, madeFromEnd);
      if (!cache.subarray(0, header.length).equals(header))
        debug('code cache %s is from another build of the bundle', codeCache);
      else if (
        madeFromEnd < 0 ||
        !builtinsLine.startsWith(BUILTINS_PREFIX) ||
        !madeFromLine.startsWith(MADE_FROM_PREFIX)
      )
        debug('code cache %s has no header', codeCache);
      else {
        builtins = builtinsLine.slice(BUILTINS_PREFIX.length).split(',').filter(Boolean);
        cachedData = cache.subarray(madeFromEnd + 1);
        debug('code cache made from %s', madeFromLine.slice(MADE_FROM_PREFIX.length));
      }
    } catch (error) {
      debug('no code cache: %s', error.message);
    }
  }
  interpreterOnly(builtins);
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
  if (writeMode !== undefined) {
    const write = () => {
      // The Node modules loaded so far, and node:cluster, which net's listen() loads once the
      // daemon runs (the RPC and status listeners).
      const loaded = new Set(process.moduleLoadList.map((entry) => entry.replace(/^NativeModule /, '')));
      loaded.add('cluster');
      const names = builtinModules.filter((name) => !name.startsWith('_') && loaded.has(name));
      const lines = `${BUILTINS_PREFIX}${names.join(',')}\n${MADE_FROM_PREFIX}${writeMode}\n`;
      writeFileSync(codeCache, Buffer.concat([header, Buffer.from(lines, 'latin1'), script.createCachedData()]));
    };
    if (writeMode === 'top-level') write();
    else process.once('exit', write);
  }
  return module.exports.main;
}

const writeMode = process.env.ZKFC_WRITE_CODE_CACHE;
if (writeMode !== undefined && !WRITE_MODES.includes(writeMode)) {
  process.stderr.write(`zkfc: ZKFC_WRITE_CODE_CACHE must be one of ${WRITE_MODES.join(', ')}\n`);
  process.exit(1);
}
const main = loadBundle(writeMode);
if (writeMode !== 'top-level') main();
