// Goal: the built `zkfc` binary follows Hadoop's start-up sequence and exit codes: 0 help, 1 for a
// bad argument (with usage); 78 (ExitCode.CONFIG, where Hadoop exits 1) for every other
// configuration error, so systemd does not restart on it: a malformed value or file (naming the
// key or file), a `10s` in a key Hadoop reads with getInt, a missing xi:include, HA not enabled, a
// missing ha.zookeeper.quorum, a bad ACL, Kerberos, an unknown local NameNode; 5 automatic
// failover off (before ZooKeeper is even tried, also for -formatZK); 6 ZooKeeper unreachable,
// after about one session timeout; 3 no working znode (with the -formatZK hint); 4 no /
// unparsable / Java-class fencer; 1 again at run time: a busy RPC or HTTP port (naming its key), a
// fatal elector error (NOAUTH creating the lock). Exit 0 on SIGTERM is covered by
// zkfc-shutdown.test.ts.
// Method: one real ZooKeeper and Hadoop XML written by MiniCluster (no daemons running); each case
// runs `node bin/zkfc.js` to completion with the cluster's conf dir plus `-D` overrides or a
// modified copy of the XML, and checks the exit code and what it printed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { digestAclId } from '../../src/zookeeper/acl.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { pickFreePorts } from '../../tools/testing/net.js';
import { logRecords, runNode, runZkfc, startE2eCluster, stopE2eCluster, ZKFC_BIN } from '../support/e2e-zkfc.js';

let cluster: MiniCluster;
const scratch = mkdtempSync(join(tmpdir(), 'zkfc-exit-codes-'));

beforeAll(async () => {
  cluster = await startE2eCluster();
});

afterAll(async () => {
  await stopE2eCluster(cluster);
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the cluster's conf dir with hdfs-site.xml edited by `edit`. */
function confCopy(name: string, edit: (hdfsSite: string) => string): string {
  const dir = join(scratch, name);
  cpSync(cluster.confDir, dir, { recursive: true });
  const file = join(dir, 'hdfs-site.xml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

describe('zkfc exit 0 and 1: arguments', () => {
  it('-h prints the usage on stdout and exits 0', async () => {
    const result = await runNode([ZKFC_BIN, '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('-formatZK [-force] [-nonInteractive]');
    expect(result.stderr).toBe('');
  });

  it.each([
    [['-foo'], 'Bad argument: -foo'],
    [['-formatZK', '-bogus'], 'Bad argument: -bogus'],
    [['-D'], 'Bad argument: -D needs a value'],
  ])('%j is a bad argument: exit 1 with the usage on stderr', async (args, message) => {
    const result = await runZkfc(cluster, 'nn1', args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: zkfc');
    expect(result.stdout).toBe('');
  });
});

describe('zkfc exit 78: configuration', () => {
  it('a malformed value names the key and where it came from', async () => {
    const result = await runZkfc(cluster, 'nn1', ['-D', 'ha.zookeeper.session-timeout.ms=soon']);
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain('ha.zookeeper.session-timeout.ms');
    expect(result.stderr).toContain('"soon"');
    expect(result.stderr).toContain('-D');
    // One line per problem: the key is reported once, with its cause.
    expect(result.stderr.split('ha.zookeeper.session-timeout.ms:').length - 1).toBe(1);
  });

  it('a malformed value in hdfs-site.xml names the key and the file', async () => {
    const dir = confCopy('bad-port', (xml) =>
      xml.replace(
        '</configuration>',
        '<property><name>ha.health-monitor.check-interval.ms</name><value>-5</value></property>\n</configuration>',
      ),
    );
    const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', dir, '-D', 'dfs.ha.namenode.id=nn1'], {
      env: cluster.zkfcEnv(),
    });
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain('ha.health-monitor.check-interval.ms');
    expect(result.stderr).toContain(join(dir, 'hdfs-site.xml'));
  });

  it('an hdfs-site.xml that is not XML names the file', async () => {
    const dir = confCopy('not-xml', (xml) => xml.replace('</configuration>', '<property><name>x</name>'));
    const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', dir, '-D', 'dfs.ha.namenode.id=nn1'], {
      env: cluster.zkfcEnv(),
    });
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain(join(dir, 'hdfs-site.xml'));
  });

  it('a missing conf dir is named', async () => {
    const missing = join(scratch, 'no-such-dir');
    const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', missing], { env: cluster.zkfcEnv() });
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain(missing);
  });

  it('HA not enabled (one NameNode in dfs.ha.namenodes): "HA is not enabled for this namenode."', async () => {
    const result = await runZkfc(cluster, 'nn1', ['-D', 'dfs.ha.namenodes.ns1=nn1']);
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain('HA is not enabled for this namenode.');
    expect(result.stderr).toContain('dfs.ha.namenodes.ns1');
  });

  it('no ha.zookeeper.quorum: "Missing required configuration \'ha.zookeeper.quorum\'"', async () => {
    const result = await runZkfc(cluster, 'nn1', ['-D', 'ha.zookeeper.quorum=']);
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain("Missing required configuration 'ha.zookeeper.quorum' for ZooKeeper quorum");
  });

  it(
    'no NameNode address of this host and no dfs.ha.namenode.id: ' + '"Could not get the namenode ID of this node"',
    async () => {
      // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
      const dir = confCopy('not-local', (xml) =>
        xml.replace(/(rpc-address\.ns1\.nn\d<\/name>\s*<value>)127\.0\.0\.1/g, '$1192.0.2.1'),
      );
      expect(readFileSync(join(dir, 'hdfs-site.xml'), 'utf8')).not.toMatch(
        /rpc-address\.ns1\.nn\d<\/name>\s*<value>127/,
      );
      const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', dir], { env: cluster.zkfcEnv() });
      expect(result.code).toBe(ExitCode.CONFIG);
      expect(result.stderr).toContain(
        'Could not get the namenode ID of this node. You may run zkfc on the node other than namenode.',
      );
    },
  );

  it('a dfs.ha.namenode.id that is not in dfs.ha.namenodes is named', async () => {
    const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', cluster.confDir, '-D', 'dfs.ha.namenode.id=nn9'], {
      env: cluster.zkfcEnv(),
    });
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain('nn9');
    expect(result.stderr).toContain('dfs.ha.namenodes.ns1');
  });
  it(
    'a unit suffix in a key Hadoop reads with getInt (10s) ' + 'is refused naming the key, the file and the value',
    async () => {
      const dir = confCopy('suffix', (xml) =>
        xml.replace(
          '</configuration>',
          '<property><name>ha.health-monitor.rpc-timeout.ms</name><value>10s</value></property>\n</configuration>',
        ),
      );
      const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', dir, '-D', 'dfs.ha.namenode.id=nn1'], {
        env: cluster.zkfcEnv(),
      });
      expect(result.code).toBe(ExitCode.CONFIG);
      expect(result.stderr).toContain('ha.health-monitor.rpc-timeout.ms');
      expect(result.stderr).toContain('"10s"');
      expect(result.stderr).toContain(join(dir, 'hdfs-site.xml'));
    },
  );

  it('an xi:include of a missing file without xi:fallback names both files', async () => {
    const dir = confCopy('include', (xml) =>
      xml
        .replace('<configuration>', '<configuration xmlns:xi="http://www.w3.org/2001/XInclude">')
        .replace('</configuration>', '<xi:include href="mountTable.xml"/>\n</configuration>'),
    );
    const result = await runNode([ZKFC_BIN, '--hadoop-conf-dir', dir, '-D', 'dfs.ha.namenode.id=nn1'], {
      env: cluster.zkfcEnv(),
    });
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain(join(dir, 'mountTable.xml'));
    expect(result.stderr).toContain(join(dir, 'hdfs-site.xml'));
  });

  it.each([
    ['a bad ACL', 'ha.zookeeper.acl=world:anyone:rwxyz', "invalid permission 'x'"],
    ['Kerberos', 'hadoop.security.authentication=kerberos', 'hadoop.security.authentication'],
  ])('%s is a configuration error', async (_label, define, message) => {
    const result = await runZkfc(cluster, 'nn1', ['-D', define]);
    expect(result.code).toBe(ExitCode.CONFIG);
    expect(result.stderr).toContain(message);
  });
});

describe('zkfc exit 5: automatic failover off', () => {
  it.each([[[] as string[]], [['-formatZK', '-nonInteractive']]])(
    '%j exits 5 before connecting to ZooKeeper',
    async (extra) => {
      // The quorum points nowhere: exit 5 (not 6) proves the check comes first, as in Hadoop.
      const [closedPort] = await pickFreePorts(1);
      const result = await runZkfc(cluster, 'nn1', [
        '-D',
        'dfs.ha.automatic-failover.enabled=false',
        '-D',
        `ha.zookeeper.quorum=127.0.0.1:${closedPort}`,
        ...extra,
      ]);
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('Automatic failover is not enabled');
      expect(result.stderr).toContain('dfs.ha.automatic-failover.enabled');
    },
  );

  it(
    "logs Hadoop's configuration warnings first: a deprecated " +
      'name, an ignored override of a final key (component conf)',
    async () => {
      const dir = confCopy('warnings', (xml) =>
        xml
          .replace('<name>dfs.nameservices</name>', '<name>dfs.federation.nameservices</name>')
          .replace(
            '</configuration>',
            '<property><name>dfs.ha.automatic-failover.enabled</name><value>false</value></property>\n</configuration>',
          ),
      );
      writeFileSync(
        join(dir, 'core-site.xml'),
        readFileSync(join(dir, 'core-site.xml'), 'utf8').replace(
          '</configuration>',
          '<property><name>dfs.ha.automatic-failover.enabled</name><value>true</value>' +
            '<final>true</final></property>\n</configuration>',
        ),
      );
      // The final true in core-site.xml holds; -D turns it off, as Hadoop's set() may.
      const result = await runNode(
        [
          ZKFC_BIN,
          '--hadoop-conf-dir',
          dir,
          '-D',
          'dfs.ha.namenode.id=nn1',
          '-D',
          'dfs.ha.automatic-failover.enabled=false',
        ],
        { env: cluster.zkfcEnv() },
      );
      expect(result.code).toBe(5);
      const warnings = logRecords(result.stdout).filter((r) => r['component'] === 'conf');
      expect(warnings.map((r) => [r['level'], r['msg']])).toEqual([
        [
          40,
          `dfs.federation.nameservices in ${join(dir, 'hdfs-site.xml')} is deprecated. Instead, use dfs.nameservices`,
        ],
        [
          40,
          `${join(dir, 'hdfs-site.xml')}:an attempt to override final ` +
            `parameter: dfs.ha.automatic-failover.enabled;  Ignoring.`,
        ],
      ]);
    },
  );

  it('the nameservice-suffixed key wins over the plain one', async () => {
    const result = await runZkfc(cluster, 'nn1', ['-D', 'dfs.ha.automatic-failover.enabled.ns1=false']);
    expect(result.code).toBe(5);
  });
});

describe('zkfc exit 6: ZooKeeper unreachable', () => {
  // The daemon only with Hadoop's behaviour (it waits by default: zkfc-zookeeper-outage.test.ts);
  // -formatZK always fails fast.
  it.each([[['-D', 'zkfc.zookeeper.retry-forever=false']], [['-formatZK', '-force']]])(
    '%j with the quorum on a closed port exits 6 after about one session timeout',
    async (extra) => {
      const [closedPort] = await pickFreePorts(1);
      const sessionTimeoutMs = 2000;
      const result = await runZkfc(cluster, 'nn1', [
        '-D',
        `ha.zookeeper.quorum=127.0.0.1:${closedPort}`,
        '-D',
        `ha.zookeeper.session-timeout.ms=${sessionTimeoutMs}`,
        ...extra,
      ]);
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`127.0.0.1:${closedPort}`);
      expect(result.stderr).toContain('ha.zookeeper.quorum');
      // It waited for the session timeout (no earlier give-up) and not much longer (Node start-up aside).
      expect(result.durationMs).toBeGreaterThanOrEqual(sessionTimeoutMs);
      expect(result.durationMs).toBeLessThan(sessionTimeoutMs + 5000);
      const fatal = logRecords(result.stdout).find((r) => r['level'] === 60);
      expect(fatal?.['msg']).toBe('Unable to connect to ZooKeeper');
    },
  );
});

describe('zkfc exit 3: no working znode', () => {
  it('exits 3 with the hint to run -formatZK', async () => {
    const result = await runZkfc(cluster, 'nn1', ['-D', 'ha.zookeeper.parent-znode=/never-formatted']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Parent znode /never-formatted/ns1 does not exist');
    expect(result.stderr).toContain('-formatZK');
  });
});

describe('zkfc exit 4: no usable fencer', () => {
  it.each([
    ['unset', '', 'No fencer configured'],
    ['only a comment', '# nothing here', 'contains no fencing method'],
    ['unparsable', 'sshfence()', "Unable to parse line: 'sshfence()'"],
    ['shell without a command', 'shell', "No argument passed to 'shell' fencing method"],
    ['a Java FenceMethod class', 'org.example.MyFencer(arg)', 'org.example.MyFencer'],
  ])('%s (%j) exits 4 naming dfs.ha.fencing.methods', async (_label, methods, message) => {
    const result = await runZkfc(cluster, 'nn1', ['-D', `dfs.ha.fencing.methods=${methods}`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Fencing is not configured for');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('dfs.ha.fencing.methods');
    expect(result.stderr).toContain('You must configure a fencing method before using automatic failover.');
  });
});

describe('zkfc exit 1 at run time', () => {
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    await cluster.startNamenode('nn1');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  it.each([
    ['the ZKFC RPC port', 'dfs.ha.zkfc.port.ns1.nn1', (port: number) => String(port), 'dfs.ha.zkfc.port'],
    ['the status listener', 'zkfc.http-address.ns1.nn1', (port: number) => `127.0.0.1:${port}`, 'zkfc.http-address'],
  ])('%s on a port in use: exit 1 naming the key', async (_label, key, value, named) => {
    const result = await runZkfc(cluster, 'nn1', ['-D', `${key}=${value(busyPort)}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${busyPort}`);
    expect(result.stderr).toContain(named);
    expect(result.stderr).toContain('EADDRINUSE');
  });

  it('the lock cannot be created (NOAUTH: the working znode has an ACL we lack): fatal, exit 1', async () => {
    const acl = `digest:${digestAclId('zkfcs', 'right')}:rwcda`;
    const format = await runZkfc(cluster, 'nn1', [
      '-D',
      'ha.zookeeper.parent-znode=/guarded',
      '-D',
      `ha.zookeeper.acl=${acl}`,
      '-D',
      'ha.zookeeper.auth=digest:zkfcs:right',
      '-formatZK',
    ]);
    expect(format.code, format.stderr).toBe(0);
    const result = await runZkfc(cluster, 'nn1', [
      '-D',
      'ha.zookeeper.parent-znode=/guarded',
      '-D',
      'ha.zookeeper.auth=digest:zkfcs:wrong',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'zkfc: ZK Failover Controller failed: Received create error from ' +
        'Zookeeper. code:NOAUTH for path /guarded/ns1/ActiveStandbyElectorLock\n',
    );
  });
});
