// Bundles the `zkfc` daemon (src/cli/zkfc-main.ts, everything it imports and its npm dependencies)
// into one CommonJS file, dist/zkfc.cjs, with a source map beside it, then makes its V8 code cache,
// dist/zkfc.cjs.cache; bin/zkfc.js runs it. Node then reads and compiles one file instead of
// resolving, reading and linking some 400 modules one by one, which is most of the daemon's
// start-up time and a good part of its idle memory (measured by `npm run bench`, see README
// "Start-up"). Run by `npm run build` after tsc (which type-checks and emits dist/ for haadmin);
// `npm pack` runs it through `prepare`.
//
// Why CommonJS and a code cache: Node 20 has no compile cache for ES modules, and compiling the
// bundle's 0.6 MB of text took a third of the start-up. bin/zkfc.js compiles the bundle as a
// script (node:vm) with the code cache made here: V8 then deserializes the bytecode of every
// function the bundle's top level runs instead of parsing and compiling them (about 40 ms less
// start-up; the same idle memory). The cache is made by loading the bundle through bin/zkfc.js
// itself (ZKFC_WRITE_CODE_CACHE), so the V8 flags are the ones the daemon runs with; it is made
// from a daemon's start-up (see trainCodeCache below), so that it also holds the functions the
// start-up runs, which V8 would otherwise compile one by one as they are first called. V8 rejects a
// cache made by another V8 version or with other V8 flags (e.g. a package built with another Node
// version, or `node --max-old-space-size=...`); bin/zkfc.js then compiles from the text, as fast as
// the ES module did. The bundle's first line carries a hash of its text, which the cache repeats:
// a cache left from another build is never used (V8 itself only compares the text's length). The
// cache's second line lists the Node modules the daemon loaded: bin/zkfc.js loads them before it
// sets its V8 flags, so that V8 takes Node's own code cache for them (see there).
//
// External (loaded from node_modules at run time, and only when used): ssh2, which has optional
// native parts (cpu-features) and is imported when an sshfence or the fencing preflight runs, and
// koffi (the FFI that binds MIT's GSSAPI, an optional dependency), imported only when Kerberos is
// configured. undici is not used by the daemon (its HTTP reads use node:http); external all the
// same, so that it could never be bundled by accident (test/integration/packaging). The bundle's
// dynamic imports become require() calls in a promise (`supported: { 'dynamic-import': false }`):
// a node:vm script has no ES module loader to import with on every Node 20 release.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leanProtobuf } from './lean-protobuf.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));

/**
 * prom-client's index also loads its Pushgateway (http, https, zlib, url: TLS and OpenSSL's
 * bindings), the cluster AggregatorRegistry (cluster, dgram), the Summary (tdigest) and
 * collectDefaultMetrics (with the event-loop-delay histogram and the GC observer), which the
 * daemon never uses: some 4 MiB of resident memory. In the bundle, `prom-client` resolves to just
 * the parts src/observability/metrics.ts imports (src/observability/process-metrics.ts takes the
 * process collectors by their own paths). (Deep paths are stable within the pinned version; a
 * renamed file fails this build.)
 */
const leanPromClient = {
  name: 'lean-prom-client',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^prom-client$/ }, (args) =>
      args.importer.startsWith(`${root}src/`) ? { path: 'prom-client', namespace: 'lean-prom-client' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lean-prom-client' }, () => ({
      resolveDir: `${root}node_modules/prom-client`,
      loader: 'js',
      contents: [
        "exports.Registry = require('./lib/registry');",
        "exports.Counter = require('./lib/counter');",
        "exports.Gauge = require('./lib/gauge');",
        "exports.Histogram = require('./lib/histogram');",
      ].join('\n'),
    }));
  },
};

/**
 * node-zookeeper-client calls three functions of underscore (clone, defaults, shuffle) and three of
 * async (whilst, eachSeries, reduce), but requires each whole: the UMD builds, with 0.24 and 0.16
 * MiB of heap for the rest (each measured alone in an idle Node, bundled: README "A lean daemon").
 * In the bundle, its `require('underscore')` and `require('async')` get just those functions, from
 * the libraries' own per-function modules (same code, so same behaviour).
 */
const leanSlices = {
  name: 'lean-slices',
  setup(pluginBuild) {
    const slices = {
      underscore: ['clone', 'defaults', 'shuffle'].map(
        (name) => `exports.${name} = require('./modules/${name}.js').default;`,
      ),
      async: ['whilst', 'eachSeries', 'reduce'].map((name) => `exports.${name} = require('./${name}.js');`),
    };
    const zkClient = `${realpathSync(`${root}node_modules/node-zookeeper-client`)}/`;
    pluginBuild.onResolve({ filter: /^(underscore|async)$/ }, (args) =>
      args.importer.startsWith(zkClient) ? { path: args.path, namespace: 'lean-slices' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lean-slices' }, (args) => ({
      resolveDir: realpathSync(`${root}node_modules/${args.path}`),
      loader: 'js',
      contents: slices[args.path].join('\n'),
    }));
  },
};

/**
 * Stand-ins (scripts/lean/, each with its reason and contract) for modules that the daemon's
 * dependencies load whole but use a sliver of, each only for the importers named:
 * - node:assert, whose assert(value, message) is all node-zookeeper-client and sonic-boom call
 *   to check their arguments (node:assert loads six more Node modules);
 * - @opentelemetry/api (0.14 MiB of heap), which prom-client's CPU collector asks for the active
 *   span only to label exemplars, which the daemon never turns on;
 * - yargs-parser, with which convict parses command-line arguments; the daemon hands it none.
 */
const leanStandIns = {
  name: 'lean-stand-ins',
  setup(pluginBuild) {
    const standIns = [
      { filter: /^(node:)?assert$/, file: 'assert.cjs', importers: ['node-zookeeper-client', 'sonic-boom'] },
      { filter: /^@opentelemetry\/api$/, file: 'opentelemetry-api.cjs', importers: ['prom-client'] },
      { filter: /^yargs-parser$/, file: 'yargs-parser.cjs', importers: ['convict'] },
    ];
    for (const { filter, file, importers } of standIns) {
      const dirs = importers.map((name) => `${realpathSync(`${root}node_modules/${name}`)}/`);
      pluginBuild.onResolve({ filter }, (args) =>
        dirs.some((dir) => args.importer.startsWith(dir)) ? { path: `${root}scripts/lean/${file}` } : undefined,
      );
    }
  },
};

/**
 * pino loads worker_threads (lib/tools.js asks isMainThread; thread-stream runs transports in a
 * worker) at start-up, for its transports, which the daemon never uses: it logs to stdout on its
 * main thread. In the bundle, pino's tools.js gets `isMainThread: true` and thread-stream a class
 * that throws if a transport is ever made, and node:worker_threads is not loaded.
 */
const leanPino = {
  name: 'lean-pino',
  setup(pluginBuild) {
    // esbuild names importers by their real path: node_modules may be a link (a git worktree's, a
    // pnpm store), and a path through it would match nothing (the transports then stay in).
    const pinoDir = `${realpathSync(`${root}node_modules/pino/lib`)}/`;
    pluginBuild.onResolve({ filter: /^worker_threads$/ }, (args) =>
      args.importer === `${pinoDir}tools.js` ? { path: 'worker_threads', namespace: 'lean-pino' } : undefined,
    );
    pluginBuild.onResolve({ filter: /^thread-stream$/ }, (args) =>
      args.importer === `${pinoDir}transport.js` ? { path: 'thread-stream', namespace: 'lean-pino' } : undefined,
    );
    pluginBuild.onLoad({ filter: /^worker_threads$/, namespace: 'lean-pino' }, () => ({
      loader: 'js',
      contents: 'exports.isMainThread = true;',
    }));
    pluginBuild.onLoad({ filter: /^thread-stream$/, namespace: 'lean-pino' }, () => ({
      loader: 'js',
      contents: [
        'module.exports = class ThreadStream {',
        "  constructor() { throw new Error('pino transports are not in the zkfc bundle'); }",
        '};',
      ].join('\n'),
    }));
  },
};

/**
 * The names of our classes survive minification, so that error types stay readable in the logs
 * (pino's `type`, ZkfcError's `name` from `new.target.name`): after each top-level class of a
 * src/ module (prettier puts them at column 0), its name is set back. esbuild's keepNames would
 * also do it for every function, some 1,400 renames at load, each giving the function its own
 * property dictionary: 0.5 MiB of the daemon's heap (README "A lean daemon"). Stack frames then
 * show minified function names; `node --enable-source-maps` maps them back.
 */
const classNames = {
  name: 'class-names',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const names = [...source.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].map((match) => match[1]);
      if (names.length === 0) return undefined;
      const restore = names.map((name) => `Object.defineProperty(${name}, 'name', { value: '${name}' });`);
      return { contents: `${source}\n${restore.join('\n')}\n`, loader: 'ts' };
    });
  },
};

const outfile = 'dist/zkfc.cjs';
const codeCache = `${outfile}.cache`;
// A cache from an earlier build must not outlive its bundle, even if this build fails half-way.
rmSync(`${root}${codeCache}`, { force: true });

/** Stands for the hash of the bundle's text in its first line until the text is known. */
const HASH_PLACEHOLDER = '0'.repeat(64);

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/zkfc-main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['ssh2', 'undici', 'koffi'],
  supported: { 'dynamic-import': false },
  plugins: [leanPromClient, leanPino, leanSlices, leanStandIns, leanProtobuf(root), classNames],
  // bin/zkfc.js checks the code cache against this line (same length once the hash is in).
  banner: { js: `// zkfc daemon bundle ${HASH_PLACEHOLDER}` },
  // daemon.ts reads package.json for the version when run unbundled; the bundle carries it.
  define: { ZKFC_BUNDLED_VERSION: JSON.stringify(version) },
  // Minified: V8 parses the whole text at start-up and keeps it in memory for the functions it
  // compiles later (a third less to parse and keep than whitespace-only minification). Classes
  // keep their `name` (classNames above). Stack positions and function names map back to src/*.ts
  // with `node --enable-source-maps` (the map names the sources; they are not copied into it, nor
  // shipped).
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // The dependencies' license comments go to dist/zkfc.cjs.LEGAL.txt.
  legalComments: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

for (const file of result.outputFiles) {
  let text = file.text;
  if (file.path === `${root}${outfile}`) {
    if (!text.startsWith(`// zkfc daemon bundle ${HASH_PLACEHOLDER}\n`))
      throw new Error('bundle-daemon: banner not first');
    text = text.replace(HASH_PLACEHOLDER, createHash('sha256').update(text).digest('hex'));
  }
  writeFileSync(file.path, text);
}

// The code cache. First from the bundle's top level: bin/zkfc.js loads the bundle (the daemon does
// not start) and writes what V8 compiled.
const cacheRun = spawnSync(process.execPath, [`${root}bin/zkfc.js`], {
  // No NODE_OPTIONS: V8 flags in them would be in the cache's flags, not in the daemon's.
  env: { ...process.env, NODE_OPTIONS: '', ZKFC_WRITE_CODE_CACHE: 'top-level' },
  encoding: 'utf8',
});
if (cacheRun.status !== 0) {
  process.stderr.write(`bundle-daemon: making the code cache failed: ${cacheRun.stderr}\n`);
  process.exit(1);
}
await trainCodeCache();

// What went in, for the packaging test (no tools/ or test/ module may end up in the daemon).
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((path) => /^(tools|test)\//.test(path));
if (foreign.length > 0) {
  process.stderr.write(`bundle-daemon: modules outside src/ and node_modules/ in the daemon: ${foreign.join(', ')}\n`);
  process.exit(1);
}

/**
 * Remakes the code cache from a daemon's start-up: bin/zkfc.js runs the daemon (as an operator's
 * `zkfc` does) on a configuration of two NameNodes whose ZooKeeper does not answer, with
 * zkfc.zookeeper.retry-forever, so it loads and checks the configuration, makes its logger,
 * tries ZooKeeper, opens its RPC and status listeners on free ports and waits for ZooKeeper; then
 * it is stopped, and writes the cache as it exits. No NameNode or ZooKeeper is needed, nothing is
 * contacted but the loopback. Measured beside the top-level cache (bench cluster, 14 starts each):
 * CPU to the first health check 181 -> 160 ms, idle VmRSS 53.6 -> 51.9 MiB (fewer functions
 * compiled at run time, so less of the compiler's memory). If the run does not get there, the
 * top-level cache stays, with a warning: the daemon then starts as it did before.
 */
async function trainCodeCache() {
  const conf = mkdtempSync(join(tmpdir(), 'zkfc-code-cache-'));
  try {
    // A port nothing listens on (taken from the system, then released) for ZooKeeper.
    const server = createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const zkPort = server.address().port;
    await new Promise((resolve) => server.close(resolve));
    const xml = (properties) =>
      '<?xml version="1.0"?>\n<configuration>\n' +
      Object.entries(properties)
        .map(([name, value]) => `  <property><name>${name}</name><value>${value}</value></property>\n`)
        .join('') +
      '</configuration>\n';
    writeFileSync(
      join(conf, 'core-site.xml'),
      xml({
        'ha.zookeeper.quorum': `127.0.0.1:${zkPort}`,
        'ha.zookeeper.session-timeout.ms': '1000',
        'zkfc.zookeeper.retry-forever': 'true',
      }),
    );
    writeFileSync(
      join(conf, 'hdfs-site.xml'),
      xml({
        'dfs.nameservices': 'ns1',
        'dfs.ha.namenodes.ns1': 'nn1,nn2',
        'dfs.ha.automatic-failover.enabled': 'true',
        'dfs.ha.fencing.methods': 'shell(true)',
        'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${zkPort}`,
        'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${zkPort}`,
        'dfs.ha.zkfc.port': '0',
        'zkfc.http-address': '127.0.0.1:0',
      }),
    );
    const child = spawn(
      process.execPath,
      [`${root}bin/zkfc.js`, '--hadoop-conf-dir', conf, '-D', 'dfs.ha.namenode.id=nn1'],
      // Only PATH from this environment: no ZKFC_* or HADOOP_* setting, no systemd socket.
      { env: { PATH: process.env.PATH ?? '', ZKFC_WRITE_CODE_CACHE: 'start-up' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const waiting = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      const see = (chunk) => {
        output += chunk;
        if (output.includes('ZooKeeper unavailable; out of the election, retrying')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout.on('data', see);
      child.stderr.on('data', see);
      void exited.then(() => resolve(false));
    });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const exit = await exited;
    clearTimeout(killer);
    const madeFrom = readFileSync(codeCache).toString('latin1', 0, 4096).split('\n')[2];
    if (!waiting || exit.code !== 0 || madeFrom !== '// made from start-up') {
      process.stderr.write(
        `bundle-daemon: warning: the code cache is made from the bundle's top level only (the daemon's ` +
          `start-up run did not reach its wait for ZooKeeper, or exited with ${exit.code ?? exit.signal}):\n` +
          `${output.slice(-4000)}\n`,
      );
      const again = spawnSync(process.execPath, [`${root}bin/zkfc.js`], {
        env: { ...process.env, NODE_OPTIONS: '', ZKFC_WRITE_CODE_CACHE: 'top-level' },
        encoding: 'utf8',
      });
      if (again.status !== 0) {
        process.stderr.write(`bundle-daemon: making the code cache failed: ${again.stderr}\n`);
        process.exit(1);
      }
    }
  } finally {
    rmSync(conf, { recursive: true, force: true });
  }
}
