// Goal: the product installs as README.md documents and runs as systemd/zkfc@.service runs it.
// `npm pack` of the checkout builds dist/ and gives a tarball with bin/, dist/, systemd/, config/
// and the README, and no tools or test code (how dist/ is built is not this test's business: the
// installed daemon running is the proof that it is complete); `npm install --global
// --prefix P ./zkfc-<version>.tgz` (the README's command, its prefix replaced) links P/bin/zkfc to
// P/lib/node_modules/zkfc/bin/zkfc (the sh launcher of bin/zkfc.js), the program the unit's
// ExecStart runs; and that ExecStart line, read from the unit with the instance ns1.nn1, starts a
// daemon that answers /healthz, makes its NameNode active, reports the package's version, and
// stops with 0 on SIGTERM; it runs its bundle with the code cache in the tarball (made from a
// daemon's start-up). The installed haadmin sees the active NameNode.
// Method: the checkout's files (git ls-files) are copied to a temp dir that borrows node_modules,
// so packing (which rebuilds dist/) never touches the dist/ other tests run; npm runs without the
// npm_* variables of a parent `npm test`, which would point it back at the checkout. The cluster
// is a real ZooKeeper and simulated NameNodes (MiniCluster). It needs the npm registry for the
// package's dependencies (the npm cache is preferred).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../../tools/testing/mini-cluster.js';
import { httpGet, startE2eCluster, stopE2eCluster } from '../../support/e2e-zkfc.js';
import { directive, expandLikeSystemd, parseUnit, splitWords, unitEnvironment } from '../../support/systemd-unit.js';
import { eventually } from '../../../tools/testing/wait.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const UNIT = join(REPO_ROOT, 'systemd/zkfc@.service');
const INSTALL_LINE = /npm install --global --prefix (\S+) \.\/zkfc-<version>\.tgz/;
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of the npm runs: ours without npm_* (set by a parent `npm test`), node on the PATH. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  env['PATH'] = `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
  env['npm_config_prefer_offline'] = 'true';
  env['npm_config_audit'] = 'false';
  env['npm_config_fund'] = 'false';
  env['npm_config_update_notifier'] = 'false';
  return env;
}

function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const env = { ...npmEnv(), ...options.env };
    execFile(
      command,
      [...args],
      { cwd: options.cwd, env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${command} ${args.join(' ')} did not run to its end: ${error.message}\n${stderr}`));
          return;
        }
        resolveRun({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** The checkout as git sees it (tracked and new files, not ignored ones), copied; node_modules borrowed. */
async function copyCheckout(target: string): Promise<void> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    timeoutMs: 20_000,
  });
  if (listed.code !== 0) throw new Error(`git ls-files failed (the test needs a git checkout): ${listed.stderr}`);
  for (const file of listed.stdout.split('\0')) {
    if (file === '' || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(target, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(target, 'node_modules'));
}

const work = mkdtempSync(join(tmpdir(), 'zkfc-install-'));
const checkout = join(work, 'checkout');
let tarballEntries: string[] = [];
let prefix = '';
let installed: Run | undefined;
let cluster: MiniCluster | undefined;
let daemon: ChildProcess | undefined;

beforeAll(async () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const documentedPrefix = INSTALL_LINE.exec(readme)?.[1];
  if (documentedPrefix === undefined) throw new Error(`README.md has no line matching ${INSTALL_LINE}`);
  prefix = join(work, documentedPrefix);

  const packAndInstall = async (): Promise<void> => {
    mkdirSync(checkout);
    await copyCheckout(checkout);
    const packed = await run('npm', ['pack'], { cwd: checkout, timeoutMs: 90_000 });
    if (packed.code !== 0)
      throw new Error(`npm pack failed (exit ${packed.code}):\n${packed.stdout}\n${packed.stderr}`);
    const tarball = `zkfc-${VERSION}.tgz`;
    const listing = await run('tar', ['-tzf', join(checkout, tarball)], { cwd: checkout, timeoutMs: 20_000 });
    tarballEntries = listing.stdout.split('\n').filter((line) => line !== '');
    // The README's command, from the directory that holds the tarball, into the temporary prefix.
    const readmeCommand = INSTALL_LINE.exec(readme)![0].replace(documentedPrefix, prefix).replace('<version>', VERSION);
    const [command, ...args] = readmeCommand.split(' ');
    installed = await run(command!, args, { cwd: checkout, timeoutMs: 120_000 });
  };
  const startCluster = async (): Promise<void> => {
    cluster = await startE2eCluster();
    await cluster.startNamenode('nn1');
  };
  await Promise.all([packAndInstall(), startCluster()]);
}, 180_000);

afterAll(async () => {
  if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  await stopE2eCluster(cluster);
  rmSync(work, { recursive: true, force: true });
});

describe('the package as npm pack makes it', () => {
  it('holds bin/, a built dist/, systemd/, config/ and the README, and no tools or test code', () => {
    const files = tarballEntries.map((entry) => entry.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/zkfc',
        'bin/zkfc.js',
        'bin/haadmin.js',
        'systemd/zkfc@.service',
      ]),
    );
    const topLevel = new Set(files.map((file) => file.split('/')[0]));
    expect([...topLevel].sort()).toEqual(['README.md', 'bin', 'config', 'dist', 'package.json', 'systemd']);
    expect(files.filter((file) => file.startsWith('dist/') && file.endsWith('.js')).length).toBeGreaterThan(0);
    expect(
      files.filter(
        (file) =>
          /(^|\/)(tools|test|testing|namenode-sim|bench|sandbox)\//.test(file) ||
          /\.test\./.test(file) ||
          (file.endsWith('.ts') && !file.endsWith('.d.ts')),
      ),
    ).toEqual([]);
  });
});

describe("installed with the README's command and run with the unit's ExecStart", () => {
  it(
    'npm links <prefix>/bin/zkfc and <prefix>/bin/haadmin ' +
      'into <prefix>/lib/node_modules/zkfc, as the unit expects',
    () => {
      expect(installed, 'the install did not run').toBeDefined();
      expect(installed!.code, installed!.stderr).toBe(0);
      // zkfc: the shell script that tunes glibc's malloc and runs node bin/zkfc.js beside it.
      for (const [name, file] of [
        ['zkfc', 'zkfc'],
        ['haadmin', 'haadmin.js'],
      ] as const) {
        const link = join(prefix, 'bin', name);
        expect(readlinkSync(link)).toBe(`../lib/node_modules/zkfc/bin/${file}`);
        expect(realpathSync(link)).toBe(realpathSync(join(prefix, 'lib/node_modules/zkfc/bin', file)));
      }
    },
  );

  it(
    'ExecStart for zkfc@ns1.nn1 starts a daemon that answers ' +
      '/healthz, makes nn1 active, reports its version and stops with 0',
    async () => {
      const c = cluster!;
      const unit = parseUnit(readFileSync(UNIT, 'utf8'));
      const [execStart] = directive(unit, 'Service', 'ExecStart');
      const documentedPrefix = INSTALL_LINE.exec(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))![1]!;
      expect(execStart).toContain(`${documentedPrefix}/bin/zkfc`);
      const argv = splitWords(
        expandLikeSystemd(execStart!, `${c.nameserviceId}.nn1`).replaceAll(`${documentedPrefix}/`, `${prefix}/`),
      );
      const unitEnv = unitEnvironment(unit);
      expect(unitEnv['HADOOP_CONF_DIR']).toBe('/etc/hadoop/conf');
      // NODE_DEBUG=zkfc: bin/zkfc.js says whether it used the code cache the tarball carries.
      const env = { ...npmEnv(), ...unitEnv, HADOOP_CONF_DIR: c.confDir, ...c.zkfcEnv(), NODE_DEBUG: 'zkfc' };

      let output = '';
      daemon = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
      daemon.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
      daemon.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        daemon!.once('exit', (code, signal) => done({ code, signal })),
      );

      const statusPort = c.node('nn1').statusPort;
      await eventually(async () => {
        if (daemon!.exitCode !== null) throw new Error(`the daemon exited ${daemon!.exitCode}:\n${output}`);
        expect((await httpGet(statusPort, '/healthz')).status).toBe(200);
      }, 20_000);
      expect(await c.waitForActive(20_000, 'nn1')).toBe('nn1');
      // bin/zkfc set glibc's malloc thresholds and arenas and exec'd node with one V8 worker
      // thread: the unit's process is the daemon itself (systemd tracks and signals that PID).
      const environ = readFileSync(`/proc/${daemon.pid}/environ`, 'latin1').split('\0');
      expect(environ).toEqual(
        expect.arrayContaining([
          'MALLOC_MMAP_THRESHOLD_=131072',
          'MALLOC_TRIM_THRESHOLD_=131072',
          'MALLOC_ARENA_MAX=1',
        ]),
      );
      expect(realpathSync(`/proc/${daemon.pid}/exe`)).toBe(realpathSync(process.execPath));
      const cmdline = readFileSync(`/proc/${daemon.pid}/cmdline`, 'latin1').split('\0');
      expect(cmdline[1]).toBe('--v8-pool-size=1');
      expect(cmdline[2]).toMatch(/\/lib\/node_modules\/zkfc\/bin\/zkfc\.js$/);
      expect(output).toMatch(/^ZKFC \d+: code cache made from start-up$/m);
      expect(output).toMatch(/^ZKFC \d+: code cache used$/m);
      const metrics = await httpGet(statusPort, '/metrics');
      expect(metrics.body).toMatch(new RegExp(`zkfc_build_info\\{[^}]*version="${VERSION.replace(/\./g, '\\.')}"`));

      const haadmin = await run(join(prefix, 'bin/haadmin'), ['-getServiceState', 'nn1'], {
        cwd: work,
        timeoutMs: 20_000,
        env: { HADOOP_CONF_DIR: c.confDir, ...c.zkfcEnv() },
      });
      expect(haadmin).toEqual({ code: 0, stdout: 'active\n', stderr: '' });

      daemon.kill('SIGTERM');
      expect(await exited, output).toEqual({ code: 0, signal: null });
    },
  );
});
