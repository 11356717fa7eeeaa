// Goal: what ships for the daemon holds only what a running controller needs. dist/ has no file
// built from tools/ or test/ (simulator, sandbox, benchmark, process harnesses): every compiled
// file there has its source under src/. The daemon's bundle (dist/zkfc.cjs, which bin/zkfc.js
// runs) is made from src/ and npm dependencies only, without the haadmin CLI, and leaves the SSH
// client (ssh2) out, to be loaded only when an sshfence runs, and undici (its HTTP reads use
// node:http) and pino's transports (worker threads) out altogether.
// bin/zkfc.js compiles the bundle with the code cache the build made from a daemon's start-up
// (dist/zkfc.cjs.cache), and never with a cache made for another build of the bundle.
// Method: the build as the tests make it (`npm run build` does the same), then the file tree of
// dist/, the bundle's source map (every module that went into it), the bundle's text and its
// cache's header; bin/zkfc.js run with NODE_DEBUG=zkfc, which says how it loaded the bundle; the
// Node modules loading the bundle loads.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../support/namenode-sim-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'zkfc.cjs');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('daemon build output', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 240_000);

  it('dist/ holds only files compiled from src/ (no simulator, harness or benchmark code)', () => {
    const foreign = filesUnder(DIST)
      .map((file) => relative(DIST, file))
      .filter((file) => file !== '.build-stamp' && !file.startsWith('zkfc.cjs'))
      .filter((file) => !existsSync(join(ROOT, 'src', file.replace(/\.js(\.map)?$|\.d\.ts$/, '.ts'))));
    expect(foreign).toEqual([]);
  });

  it('the bundle is made of src/ modules and npm dependencies only, without tools/, test/ or the haadmin CLI', () => {
    const map = JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as { sources: string[] };
    // The virtual modules of scripts/bundle-daemon.mjs: the slimmed prom-client entry point, pino's
    // stand-ins for worker_threads and thread-stream, the three functions each of underscore and
    // async that node-zookeeper-client calls, what the prebuilt protobuf descriptors call.
    const virtual = [
      'lean-prom-client:prom-client',
      'lean-pino:worker_threads',
      'lean-pino:thread-stream',
      'lean-slices:underscore',
      'lean-slices:async',
      'lean-protobuf-runtime:lean-protobuf-runtime',
    ];
    const sources = map.sources
      .filter((source) => !virtual.includes(source))
      .map((source) => relative(ROOT, resolve(DIST, source)));
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((source) => !/^(src|node_modules)\//.test(source)).sort()).toEqual([
      'scripts/lean/assert.cjs',
      'scripts/lean/opentelemetry-api.cjs',
      'scripts/lean/yargs-parser.cjs',
    ]);
    // underscore and async by their per-function modules, never their whole UMD builds; no
    // @opentelemetry/api or yargs-parser (the stand-ins above).
    expect(sources).toContain('node_modules/underscore/modules/shuffle.js');
    expect(sources).toContain('node_modules/async/whilst.js');
    expect(
      sources.filter((source) =>
        /^node_modules\/(underscore\/underscore(-umd)?\.js|async\/dist\/|@opentelemetry\/|yargs-parser\/)/.test(source),
      ),
    ).toEqual([]);
    expect(sources.filter((source) => /(^|\/)(tools|test)\//.test(source))).toEqual([]);
    expect(sources.filter((source) => source.startsWith('src/cli/haadmin'))).toEqual([]);
    expect(sources.filter((source) => /^node_modules\/(undici|ssh2)\//.test(source))).toEqual([]);
    expect(sources).toContain('src/daemon/daemon.ts');
  });

  it('leaves out what the daemon never runs: pino transports (worker threads)', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).not.toMatch(/require\("(node:)?worker_threads"\)/);
    expect(text).toContain('pino transports are not in the zkfc bundle');
  });

  it('leaves out what only costs memory: descriptor.proto, the event-loop-delay histogram, the GC observer', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    // Our file descriptors are decoded at build time (scripts/lean-protobuf.mjs): no fileDesc("<base64>")
    // left, so protobuf-es does not boot google/protobuf/descriptor.proto to read them.
    expect(text).not.toContain('google/protobuf/descriptor.proto');
    expect(text).toContain('".hadoop.common.HAServiceStateProto"');
    // src/observability/process-metrics.ts: prom-client's collectors without eventLoopLag and gc.
    expect(text).not.toContain('monitorEventLoopDelay');
    expect(text).not.toContain('nodejs_gc_duration_seconds');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('loading the bundle loads none of the Node modules a running controller does not need', async () => {
    // node:crypto (OpenSSL's bindings, about 1.3 MiB resident), node:fs/promises (with Node's file
    // watchers and readline), worker_threads and readline: each is loaded, if ever, by the code
    // that needs it (a digest ACL, a /stacks file, an sshfence key, -formatZK's question). A script
    // file, not `node -e`: the -e path may load node:crypto itself.
    const dir = await mkdtemp(join(tmpdir(), 'zkfc-bundle-'));
    try {
      const script = join(dir, 'load.cjs');
      await writeFile(
        script,
        `require(${JSON.stringify(BUNDLE)}); process.stdout.write(process.moduleLoadList.join('\\n'));\n`,
      );
      const run = spawnSync(process.execPath, [script], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      expect(run.status).toBe(0);
      const builtins = run.stdout.split('\n').filter((line) => line.startsWith('NativeModule '));
      expect(builtins).toContain('NativeModule net');
      for (const unneeded of ['crypto', 'fs/promises', 'worker_threads', 'readline', 'assert'])
        expect(builtins).not.toContain(`NativeModule ${unneeded}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a daemon's start-up loads neither node:assert nor perf_hooks", () => {
    // The code cache's second line lists the Node modules the build's start-up run of the daemon
    // loaded (scripts/bundle-daemon.mjs). node:assert: scripts/lean/assert.cjs stands in for it;
    // perf_hooks (the `performance` global loads all eleven of its modules): the monotonic clock
    // is process.hrtime (src/runtime/system-clock.ts).
    const header = readFileSync(`${BUNDLE}.cache`).toString('latin1', 0, 4096).split('\n');
    expect(header[2]).toBe('// made from start-up');
    const loaded = header[1]!.replace(/^\/\/ builtins /, '').split(',');
    expect(loaded).toEqual(expect.arrayContaining(['net', 'http', 'child_process']));
    expect(loaded.filter((name) => ['assert', 'perf_hooks'].includes(name))).toEqual([]);
  });

  it('loads ssh2 only when an sshfence needs it, and undici never', () => {
    // The bundle's dynamic imports are require() calls inside a promise callback (bundle-daemon.mjs).
    const text = readFileSync(BUNDLE, 'utf8');
    const requiresOf = (name: string): string[] =>
      [...text.matchAll(new RegExp(`.{0,40}require\\("${name}"\\)`, 'g'))].map((m) => m[0]);
    const ssh2 = requiresOf('ssh2');
    expect(ssh2).toHaveLength(1);
    expect(ssh2[0]).toMatch(/Promise\.resolve\(\)\.then\(\(\)=>\w+\(require\(/);
    expect(requiresOf('undici')).toEqual([]);
  });

  it('bin/zkfc.js runs the bundle with its code cache and loads no other module file', async () => {
    // A module resolve hook reports every file the zkfc process loads as an ES module, a wrapped
    // Module._load every file it requires.
    const dir = await mkdtemp(join(tmpdir(), 'zkfc-bundle-'));
    try {
      await writeFile(
        join(dir, 'hooks.mjs'),
        'export async function resolve(specifier, context, next) { const r = await next(specifier, context); ' +
          "if (r.url.startsWith('file:')) process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n",
      );
      await writeFile(
        join(dir, 'register.mjs'),
        "import Module, { register } from 'node:module'; import { pathToFileURL } from 'node:url';\n" +
          "register('./hooks.mjs', import.meta.url);\n" +
          'const load = Module._load; Module._load = function (request, parent, isMain) { ' +
          'const file = Module._resolveFilename(request, parent, isMain); ' +
          "if (file.startsWith('/')) process.stderr.write('LOADED ' + pathToFileURL(file).href + '\\n'); " +
          'return load.apply(this, arguments); };\n',
      );
      const run = spawnSync(
        process.execPath,
        ['--import', join(dir, 'register.mjs'), join(ROOT, 'bin/zkfc.js'), '-h'],
        { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_DEBUG: 'zkfc', NODE_OPTIONS: '' } },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: zkfc /);
      expect(run.stderr).toMatch(/^ZKFC \d+: code cache used$/m);
      const loaded = [...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => relative(ROOT, fileURLToPath(m[1]!)));
      // The CommonJS launcher passes both hooks (resolved as the main, then required): one file.
      expect([...new Set(loaded)]).toEqual(['bin/zkfc.js']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the code cache is made from a daemon's start-up and names the Node modules loaded before V8's flags", () => {
    const cache = readFileSync(`${BUNDLE}.cache`);
    const [first, second, third] = cache.subarray(0, 4096).toString('latin1').split('\n');
    expect(third).toBe('// made from start-up');
    expect(first).toBe(readFileSync(BUNDLE, 'utf8').split('\n')[0]);
    const builtins = /^\/\/ builtins (\S+)$/.exec(second!)![1]!.split(',');
    expect(builtins).toEqual(expect.arrayContaining(['net', 'http', 'child_process', 'cluster']));
    expect(builtins).not.toContain('crypto');
  });

  it('bin/zkfc.js compiles the bundle from its text when its cache is for another build or V8 flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zkfc-bundle-'));
    try {
      // A copy of the package's launcher and bundle whose cache was made for a bundle of the same
      // length but other text (V8 alone would accept it).
      await mkdir(join(dir, 'bin'));
      await mkdir(join(dir, 'dist'));
      await copyFile(join(ROOT, 'bin/zkfc.js'), join(dir, 'bin/zkfc.js'));
      const text = readFileSync(BUNDLE, 'utf8');
      const hash = /^\/\/ zkfc daemon bundle ([0-9a-f]{64})\n/.exec(text)![1]!;
      const otherHash = hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      await writeFile(join(dir, 'dist/zkfc.cjs'), text.replace(hash, otherHash));
      await copyFile(`${BUNDLE}.cache`, join(dir, 'dist/zkfc.cjs.cache'));
      const env = { ...process.env, NODE_DEBUG: 'zkfc', NODE_OPTIONS: '' };
      const otherBuild = spawnSync(process.execPath, [join(dir, 'bin/zkfc.js'), '-h'], { encoding: 'utf8', env });
      expect(otherBuild.status).toBe(0);
      expect(otherBuild.stdout).toMatch(/^Usage: zkfc /);
      expect(otherBuild.stderr).toMatch(/code cache \S+ is from another build of the bundle/);
      expect(otherBuild.stderr).not.toMatch(/code cache used/);

      const otherFlags = spawnSync(process.execPath, ['--stack-size=900', join(ROOT, 'bin/zkfc.js'), '-h'], {
        encoding: 'utf8',
        env,
      });
      expect(otherFlags.status).toBe(0);
      expect(otherFlags.stdout).toMatch(/^Usage: zkfc /);
      expect(otherFlags.stderr).toMatch(/code cache rejected by V8/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with source maps on, bin/zkfc.js requires the bundle, whose stack traces then name src/ files', () => {
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(ROOT, 'bin/zkfc.js'), '-h'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_DEBUG: 'zkfc', NODE_OPTIONS: '' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: zkfc /);
    expect(run.stderr).toMatch(/bundle loaded as a CommonJS module \(source maps on\)/);
    // A frame inside the bundle, mapped: an error thrown by one of its functions.
    const trace = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '-e',
        `const { main } = require(${JSON.stringify(BUNDLE)}); process.argv = [process.argv[0], 'zkfc', '-h']; ` +
          'process.stdout.write = () => { throw new Error("mapped?"); }; main();',
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(trace.stderr).toMatch(/Error: mapped\?/);
    expect(trace.stderr).toMatch(/src\/cli\/zkfc-main\.ts:\d+:\d+/);
  });
});
