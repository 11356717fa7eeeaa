// Goal: the built `haadmin` binary behaves like `hdfs haadmin` for -getServiceState,
// -checkHealth, -getAllServiceState, -transitionToActive and -transitionToStandby (with and
// without --forcemanual) against NameNode processes: Hadoop's stdout/stderr texts and exit codes
// 0 / 255, addresses from hdfs-site.xml in $HADOOP_CONF_DIR (else $HADOOP_HOME/etc/hadoop, as
// zkfc finds it), the user from $HADOOP_USER_NAME, and the --forcemanual answer read from a pipe.
// The configuration loads as Hadoop loads it (xi:include, deprecated names with Hadoop's warning),
// and what haadmin cannot use (Kerberos, a missing or malformed conf) is refused with 255.
// Method: two `zkfc-sim namenode` processes on free ports; generated conf dirs (automatic failover
// on and off); `node bin/haadmin.js` run as a child process per command. Processes are stopped in
// afterAll, also when a test fails.
import { lookupService } from 'node:dns/promises';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHaAdminProcess, writeConfDir, type CliResult } from '../support/haadmin-process.js';
import { NamenodeSimProcess, ensureBuilt, stopAllSimProcesses } from '../support/namenode-sim-process.js';

const dir = mkdtempSync(join(tmpdir(), 'haadmin-e2e-'));
let nn1: NamenodeSimProcess;
let nn2: NamenodeSimProcess;
let autoConf: string;
let manualConf: string;

function writeConf(name: string, auto: boolean, extra: Record<string, string> = {}): string {
  return writeConfDir(dir, name, {
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
    'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
    'dfs.namenode.http-address.ns1.nn1': `127.0.0.1:${nn1.httpAddress.port}`,
    'dfs.namenode.http-address.ns1.nn2': `127.0.0.1:${nn2.httpAddress.port}`,
    'dfs.ha.automatic-failover.enabled': String(auto),
    ...extra,
  });
}

function haadmin(
  args: string[],
  options: { conf?: string; user?: string; stdin?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  return runHaAdminProcess(args, { ...options, conf: options.conf ?? autoConf });
}

beforeAll(async () => {
  await ensureBuilt();
  [nn1, nn2] = await Promise.all([
    NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn1', superuser: 'hdfs', automaticFailover: true }),
    NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn2', superuser: 'hdfs', automaticFailover: true }),
  ]);
  autoConf = writeConf('auto', true);
  manualConf = writeConf('manual', false);
});

afterAll(async () => {
  await stopAllSimProcesses();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = (port: number) =>
  `Automatic failover is enabled for NameNode at /127.0.0.1:${port}\n` +
  'Refusing to manually manage HA state, since it may cause\n' +
  'a split-brain scenario or other incorrect state.\n' +
  'If you are very sure you know what you are doing, please \n' +
  'specify the --forcemanual flag.\n';

describe('haadmin binary against zkfc-sim NameNodes (automatic failover on)', () => {
  it('-getServiceState prints "standby" and exits 0', async () => {
    expect(await haadmin(['-getServiceState', 'nn1'])).toEqual({ code: 0, stdout: 'standby\n', stderr: '' });
    expect(await haadmin(['-ns', 'ns1', '-getServiceState', 'nn2'])).toEqual({
      code: 0,
      stdout: 'standby\n',
      stderr: '',
    });
  });

  it('-checkHealth exits 0 silently when healthy and 255 with "Health check failed" when not', async () => {
    expect(await haadmin(['-checkHealth', 'nn1'])).toEqual({ code: 0, stdout: '', stderr: '' });
    await nn1.fault('unhealthy');
    try {
      expect(await haadmin(['-checkHealth', 'nn1'])).toEqual({
        code: 255,
        stdout: '',
        stderr: 'Health check failed: The NameNode has no resources available\n',
      });
    } finally {
      await nn1.fault('none');
    }
  });

  it('a user who is not the superuser gets "Operation failed: Access denied ..." (255)', async () => {
    expect(await haadmin(['-checkHealth', 'nn1'], { user: 'bob' })).toEqual({
      code: 255,
      stdout: '',
      stderr: 'Operation failed: Access denied for user bob. Superuser privilege is required\n',
    });
  });

  it('-transitionToActive / -transitionToStandby without --forcemanual are refused (255)', async () => {
    // -transitionToActive checks the other NameNode first, so it names nn2.
    expect(await haadmin(['-transitionToActive', 'nn1'])).toEqual({
      code: 255,
      stdout: '',
      stderr: refusal(nn2.rpcAddress.port),
    });
    expect(await haadmin(['-transitionToStandby', 'nn1'])).toEqual({
      code: 255,
      stdout: '',
      stderr: refusal(nn1.rpcAddress.port),
    });
    expect((await nn1.state()).calls.transitionToActive).toBe(0);
  });

  it('--forcemanual reads the answer from stdin: "N" aborts, "Y" transitions with REQUEST_BY_USER_FORCED', async () => {
    const no = await haadmin(['-transitionToActive', '--forcemanual', 'nn1'], { stdin: 'N\n' });
    expect(no.code).toBe(255);
    expect(no.stderr).toContain('You have specified the --forcemanual flag. This flag is dangerous');
    expect(no.stderr).toContain('Are you sure you want to continue? (Y or N) ');
    expect(no.stderr).toMatch(/ERROR ha\.HAAdmin: Aborted\n$/);
    expect((await nn1.state()).state).toBe('standby');

    const silent = await haadmin(['-transitionToActive', '--forcemanual', 'nn1'], { stdin: '' });
    expect(silent.code).toBe(255);
    expect((await nn1.state()).state).toBe('standby');

    const yes = await haadmin(['-transitionToActive', '--forcemanual', 'nn1'], { stdin: 'Y\n' });
    expect(yes).toMatchObject({ code: 0, stdout: '' });
    expect(yes.stderr).toMatch(
      new RegExp(
        String.raw`WARN ha\.HAAdmin: Proceeding with manual HA state management even thou` +
          String.raw`gh\nautomatic failover is enabled for NameNode at \/127\.0\.0\.1:\d+\n`,
      ),
    );
    expect(await haadmin(['-getServiceState', 'nn1'])).toMatchObject({ code: 0, stdout: 'active\n' });

    const back = await haadmin(['-transitionToStandby', '-forcemanual', 'nn1'], { stdin: 'yes\n' });
    expect(back.code).toBe(0);
    expect(await haadmin(['-getServiceState', 'nn1'])).toMatchObject({ stdout: 'standby\n' });
  });

  it('-getAllServiceState prints one padded line per NameNode and exits 0, even when one is down', async () => {
    // Java prints InetSocketAddress.getHostName(): a reverse lookup of the literal IP.
    const host = await lookupService('127.0.0.1', 0).then(
      (r) => r.hostname,
      () => '127.0.0.1',
    );
    const run = await haadmin(['-getAllServiceState']);
    expect(run).toEqual({
      code: 0,
      stdout:
        `${`${host}:${nn1.rpcAddress.port}`.padEnd(50)} standby   ` +
        `\n${`${host}:${nn2.rpcAddress.port}`.padEnd(50)} standby   \n`,
      stderr: '',
    });
    const withDead = writeConf('dead', true, { 'dfs.namenode.rpc-address.ns1.nn2': '127.0.0.1:1' });
    const partial = await haadmin(['-getAllServiceState'], { conf: withDead });
    expect(partial.code).toBe(0);
    const lines = partial.stdout.split('\n');
    expect(lines[0]).toBe(`${`${host}:${nn1.rpcAddress.port}`.padEnd(50)} standby   `);
    expect(lines[1]).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}:1 +Failed to connect: .*ECONNREFUSED`));
  });

  it("usage errors and unknown ids exit 255 with Hadoop's texts", async () => {
    const unknown = await haadmin(['-bogus']);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toMatch(/^bogus: Unknown command\nUsage: haadmin \[-ns <nameserviceId>\]\n/);
    const noArgs = await haadmin([]);
    expect(noArgs.code).toBe(255);
    expect(noArgs.stderr).toMatch(/^Usage: haadmin \[-ns <nameserviceId>\]\n {4}\[-checkHealth <serviceId>\]/);
    expect(await haadmin(['-getServiceState', 'nn3'])).toEqual({
      code: 255,
      stdout: '',
      stderr: "Illegal argument: Unable to determine service address for namenode 'nn3'\n",
    });
    expect(await haadmin(['-getServiceState'])).toEqual({
      code: 255,
      stdout: '',
      stderr:
        'getServiceState: incorrect number of arguments\nUsage: ' +
        'haadmin [-ns <nameserviceId>] [-getServiceState <serviceId>]\n',
    });
    expect(await haadmin(['-help', 'checkHealth'])).toEqual({
      code: 0,
      stdout:
        '-checkHealth [<serviceId>]: Requests that the service perform a health ' +
        'check.\nThe HAAdmin tool will exit with a non-zero exit code\nif the check fails.\n',
      stderr: '',
    });
  });
});

describe('haadmin binary with automatic failover off', () => {
  it('manual -transitionToActive refuses while the other NameNode is active, works after it stands down', async () => {
    // A pair that runs manual failover on both sides (NameNodes and configuration).
    const manualNn1 = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      automaticFailover: false,
      initialState: 'active',
    });
    const manualNn2 = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn2',
      superuser: 'hdfs',
      automaticFailover: false,
    });
    const conf = writeConf('manual-pair', false, {
      'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${manualNn1.rpcAddress.port}`,
      'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${manualNn2.rpcAddress.port}`,
    });
    try {
      expect(await haadmin(['-transitionToActive', 'nn2'], { conf })).toEqual({
        code: 255,
        stdout: '',
        stderr:
          'transitionToActive: Node nn1 is already active\nUsage: haadmin [-ns ' +
          '<nameserviceId>] [-transitionToActive [--forceactive] <serviceId>]\n',
      });
      expect(await haadmin(['-transitionToStandby', 'nn1'], { conf })).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(await haadmin(['-transitionToActive', 'nn2'], { conf })).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await manualNn2.state()).state).toBe('active');
      expect((await manualNn1.state()).state).toBe('standby');
    } finally {
      await Promise.all([manualNn1.stop(), manualNn2.stop()]);
    }
  });

  it("the NameNode's own gate answers when the configuration disagrees with it", async () => {
    // manualConf says manual, but nn1/nn2 run automatic failover: the NameNode refuses REQUEST_BY_USER.
    expect(await haadmin(['-transitionToStandby', 'nn1'], { conf: manualConf })).toEqual({
      code: 255,
      stdout: '',
      stderr: 'Operation failed: Manual HA control for this NameNode is disallowed, because automatic HA is enabled.\n',
    });
  });

  it('a stopped NameNode: "Operation failed" and 255', async () => {
    const lone = await NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn1', superuser: 'hdfs' });
    const conf = writeConf('stopped', true, {
      'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${lone.rpcAddress.port}`,
    });
    expect((await haadmin(['-getServiceState', 'nn1'], { conf })).stdout).toBe('standby\n');
    await lone.stop();
    const run = await haadmin(['-getServiceState', 'nn1'], { conf });
    expect(run.code).toBe(255);
    expect(run.stderr).toMatch(/^Operation failed: .*ECONNREFUSED.*\n$/);
  });
});

describe('haadmin binary and the configuration', () => {
  const ns1Properties = (): Record<string, string> => ({
    'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
    'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
  });
  const xml = (properties: Record<string, string>, body = ''): string =>
    `<?xml version="1.0"?>\n<configuration xmlns:xi="http://www.w3.org/2001/XInclude">\n${Object.entries(properties)
      .map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`)
      .join('\n')}\n${body}</configuration>\n`;

  it('finds the conf dir under $HADOOP_HOME/etc/hadoop when HADOOP_CONF_DIR is unset, as zkfc does', async () => {
    const home = join(dir, 'hadoop-home');
    mkdirSync(join(home, 'etc/hadoop'), { recursive: true });
    writeFileSync(
      join(home, 'etc/hadoop/hdfs-site.xml'),
      xml({ 'dfs.nameservices': 'ns1', 'dfs.ha.namenodes.ns1': 'nn1,nn2', ...ns1Properties() }),
    );
    expect(
      await haadmin(['-getServiceState', 'nn1'], { env: { HADOOP_CONF_DIR: undefined, HADOOP_HOME: home } }),
    ).toEqual({ code: 0, stdout: 'standby\n', stderr: '' });
  });

  it('a HADOOP_CONF_DIR that does not exist is named, exit 255', async () => {
    const missing = join(dir, 'no-such-conf');
    const run = await haadmin(['-getServiceState', 'nn1'], { conf: missing });
    expect(run.code).toBe(255);
    expect(run.stderr).toBe(
      `haadmin: Hadoop configuration directory ${missing} (from ` +
        `HADOOP_CONF_DIR) does not exist or is not a directory\n`,
    );
  });

  it('a malformed hdfs-site.xml is named, exit 255', async () => {
    const conf = join(dir, 'malformed');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'hdfs-site.xml'), '<configuration><property>');
    const run = await haadmin(['-getServiceState', 'nn1'], { conf });
    expect(run.code).toBe(255);
    expect(run.stderr).toContain(`haadmin: Malformed XML in ${join(conf, 'hdfs-site.xml')}`);
  });

  it(
    "reads NameNode addresses from an xi:include'd file and the " +
      "deprecated dfs.federation.nameservices, with Hadoop's warning",
    async () => {
      const conf = join(dir, 'included');
      mkdirSync(conf, { recursive: true });
      writeFileSync(
        join(conf, 'hdfs-site.xml'),
        xml(
          { 'dfs.federation.nameservices': 'ns1', 'dfs.ha.namenodes.ns1': 'nn1,nn2' },
          '  <xi:include href="namenodes.xml"/>\n',
        ),
      );
      writeFileSync(join(conf, 'namenodes.xml'), xml(ns1Properties()));
      const run = await haadmin(['-getServiceState', 'nn2'], { conf });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('standby\n');
      expect(run.stderr).toMatch(
        new RegExp(
          `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} WARN ` +
            `Configuration\\.deprecation: dfs\\.federation\\.nameservices ` +
            `in ${join(conf, 'hdfs-site.xml').replace(/\./g, '\\.')} ` +
            `is deprecated\\. Instead, use dfs\\.nameservices\\n$`,
        ),
      );
    },
  );

  it.each([
    ['in core-site.xml', { core: true }],
    ['as -D', { core: false }],
  ])(
    'Kerberos (hadoop.security.authentication=kerberos %s) without dfs.namenode.kerberos.principal: ' +
      'refused naming the missing key, exit 255',
    async (_label, { core }) => {
      const conf = writeConf(`kerberos-${String(core)}`, true);
      if (core) writeFileSync(join(conf, 'core-site.xml'), xml({ 'hadoop.security.authentication': 'kerberos' }));
      const run = await haadmin(
        [...(core ? [] : ['-D', 'hadoop.security.authentication=kerberos']), '-getServiceState', 'nn1'],
        { conf },
      );
      expect(run.code).toBe(255);
      expect(run.stdout).toBe('');
      // haadmin speaks Kerberos (README "Running it in production"), and needs the NameNodes' principal to
      // authenticate them, as Hadoop's SaslRpcClient#getServerPrincipal does.
      expect(run.stderr).toBe(
        'Illegal argument: invalid configuration:\n' +
          '  dfs.namenode.kerberos.principal: required with hadoop.security.authentication=kerberos\n',
      );
    },
  );
});
