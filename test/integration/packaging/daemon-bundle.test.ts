// Goal: what ships for the daemon holds only what a running controller needs. dist/ has no file
// built from tools/ or test/ (simulator, sandbox, benchmark, process harnesses): every compiled
// file there has its source under src/. The daemon's bundle (dist/zkfc.mjs, which bin/zkfc.js
// runs) is made from src/ and npm dependencies only, without the haadmin CLI, and leaves the SSH
// client (ssh2) and the HTTP client (undici) out, to be loaded only when an sshfence or a capture
// of the NameNode's /stacks runs.
// Method: the build as the tests make it (`npm run build` does the same), then the file tree of
// dist/, the bundle's source map (every module that went into it) and the bundle's text.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../support/namenode-sim-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'zkfc.mjs');

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
      .filter((file) => file !== '.build-stamp' && !file.startsWith('zkfc.mjs'))
      .filter((file) => !existsSync(join(ROOT, 'src', file.replace(/\.js(\.map)?$|\.d\.ts$/, '.ts'))));
    expect(foreign).toEqual([]);
  });

  it('the bundle is made of src/ modules and npm dependencies only, without tools/, test/ or the haadmin CLI', () => {
    const map = JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as { sources: string[] };
    // The one virtual module: scripts/bundle-daemon.mjs's slimmed prom-client entry point.
    const sources = map.sources
      .filter((source) => source !== 'lean-prom-client:prom-client')
      .map((source) => relative(ROOT, resolve(DIST, source)));
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((source) => !source.startsWith('src/') && !source.startsWith('node_modules/'))).toEqual([]);
    expect(sources.filter((source) => /(^|\/)(tools|test)\//.test(source))).toEqual([]);
    expect(sources.filter((source) => source.startsWith('src/cli/haadmin'))).toEqual([]);
    expect(sources.filter((source) => /^node_modules\/(undici|ssh2)\//.test(source))).toEqual([]);
    expect(sources).toContain('src/daemon/daemon.ts');
  });

  it('loads ssh2 and undici only through dynamic imports, when an sshfence or a /stacks capture needs them', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    for (const name of ['ssh2', 'undici']) {
      expect(text).toMatch(new RegExp(`import\\("${name}"\\)`));
      expect(text).not.toMatch(new RegExp(`from\\s*"${name}"|require\\("${name}"\\)`));
    }
  });

  it('bin/zkfc.js runs the bundle and loads no other module file', async () => {
    // A module resolve hook reports every file the zkfc process loads as an ES module.
    const dir = await mkdtemp(join(tmpdir(), 'zkfc-bundle-'));
    try {
      await writeFile(
        join(dir, 'hooks.mjs'),
        'export async function resolve(specifier, context, next) { const r = await next(specifier, context); ' +
          "if (r.url.startsWith('file:')) process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n",
      );
      await writeFile(
        join(dir, 'register.mjs'),
        "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);\n",
      );
      const run = spawnSync(
        process.execPath,
        ['--import', join(dir, 'register.mjs'), join(ROOT, 'bin/zkfc.js'), '-h'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: zkfc /);
      const loaded = [...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => relative(ROOT, fileURLToPath(m[1]!)));
      expect(loaded).toEqual(['bin/zkfc.js', 'dist/zkfc.mjs']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
