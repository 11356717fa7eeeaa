// Bundles the `zkfc` daemon (src/cli/zkfc-main.ts, everything it imports and its npm dependencies)
// into one ES module, dist/zkfc.mjs, with a source map beside it; bin/zkfc.js runs it. Node then
// reads and compiles one file instead of resolving, reading and linking some 400 modules one by
// one, which is most of the daemon's start-up time and a good part of its idle memory (measured
// by `npm run bench`, see README "Start-up"). Run by `npm run build` after tsc (which type-checks
// and emits dist/ for haadmin); `npm pack` runs it through `prepare`.
//
// External (loaded from node_modules at run time, and only when used): ssh2, which has optional
// native parts (cpu-features) and is imported when an sshfence or the fencing preflight runs, and
// undici (some 750 kB of source), imported when the NameNode's /stacks are captured.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));

/**
 * prom-client's index also loads its Pushgateway (http, https, zlib, url: TLS and OpenSSL's
 * bindings), the cluster AggregatorRegistry (cluster, dgram) and the Summary (tdigest), which the
 * daemon never uses: some 4 MiB of resident memory. In the bundle, `prom-client` resolves to just
 * the parts src/observability/metrics.ts imports. (Deep paths are stable within the pinned
 * version; a renamed file fails this build.)
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
        "exports.collectDefaultMetrics = require('./lib/defaultMetrics');",
      ].join('\n'),
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/zkfc-main.ts'],
  outfile: 'dist/zkfc.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2', 'undici'],
  plugins: [leanPromClient],
  // The CommonJS dependencies (node-zookeeper-client, convict, prom-client, ...) call require()
  // for Node's built-in modules; an ES module has no require of its own.
  banner: {
    js:
      'import { createRequire as __zkfcCreateRequire } from ' +
      "'node:module'; const require = __zkfcCreateRequire(import.meta.url);",
  },
  // daemon.ts reads package.json for the version when run unbundled; the bundle carries it.
  define: { ZKFC_BUNDLED_VERSION: JSON.stringify(version) },
  // Minified: V8 parses the whole text at start-up and keeps it in memory for the functions it
  // compiles later (a third less to parse and keep than whitespace-only minification). Functions
  // and classes keep their `name`: error types stay readable in the logs. Stack positions map
  // back to src/*.ts with `node --enable-source-maps` (the map names the sources; they are not
  // copied into it, nor shipped).
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // The dependencies' license comments go to dist/zkfc.mjs.LEGAL.txt.
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// What went in, for the packaging test (no tools/ or test/ module may end up in the daemon).
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((path) => /^(tools|test)\//.test(path));
if (foreign.length > 0) {
  process.stderr.write(`bundle-daemon: modules outside src/ and node_modules/ in the daemon: ${foreign.join(', ')}\n`);
  process.exit(1);
}
