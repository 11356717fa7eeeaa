// Goal: the ZKFC RPC server's bounds are configured safely: a cede maximum shorter than the cede of
// a graceful failover, zero caps or deadlines, and an allow-list entry that is not an address or
// CIDR block are all refused with the key named (exit 78), and a world-writable ha.zookeeper.acl
// is a warning, not an error.
// Method: load a real Hadoop XML configuration with -D overrides, then the daemon's validate().
import { describe, expect, it } from 'vitest';
import { tempHdfsSiteDir } from '../../../tools/testing/conf-xml.js';
import { loadZkfcConfig } from '../../../src/config/load.js';
import { validate } from '../../../src/daemon/validate.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

function confDir(): string {
  return tempHdfsSiteDir('zkfc-rpc-settings-', {
    'ha.zookeeper.quorum': 'zk1:2181',
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
    'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
    'dfs.ha.fencing.methods': 'shell(/bin/true)',
    'dfs.ha.automatic-failover.enabled': 'true',
  });
}
const probe = { localAddresses: () => ['10.1.0.1'], resolve: async (host: string) => [host] };

async function load(defines: ReadonlyArray<readonly [string, string]>) {
  return loadZkfcConfig({ hadoopConfDir: confDir(), env: {}, defines, probe });
}

async function refusal(defines: ReadonlyArray<readonly [string, string]>): Promise<string> {
  try {
    await load(defines);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.CONFIG);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('ZKFC RPC server settings', () => {
  it(
    'defaults: 64 connections, 8 per address, 10 s to set ' + 'up, 2 x 10 s idle, 5 min cede at most, no allow-list',
    async () => {
      const config = await load([]);
      expect(config.settings.rpc).toEqual({
        allowedAddresses: null,
        maxConnections: 64,
        maxConnectionsPerAddress: 8,
        setupTimeoutMs: 10_000,
        connectionMaxIdleTimeMs: 10_000,
        maxCedeMs: 300_000,
      });
      expect(validate(config).rpcAllowList).toBeUndefined();
    },
  );

  it('refuses a cede maximum below the cede of a graceful failover (twice the graceful-fence timeout)', async () => {
    expect(await refusal([['zkfc.rpc.cede.max.ms', '9999']])).toContain(
      'zkfc.rpc.cede.max.ms: 9999 is less than the 10000 ms a graceful failover cedes for',
    );
    expect(await refusal([['ha.failover-controller.graceful-fence.rpc-timeout.ms', '200000']])).toContain(
      'zkfc.rpc.cede.max.ms: 300000 is less than the 400000 ms',
    );
    expect((await load([['zkfc.rpc.cede.max.ms', '10000']])).settings.rpc.maxCedeMs).toBe(10_000);
  });

  it.each([
    ['zkfc.rpc.max-connections', '0', 'must be at least 1'],
    ['zkfc.rpc.max-connections-per-address', '0', 'must be at least 1'],
    ['zkfc.rpc.setup-timeout.ms', '0', 'must be greater than 0'],
    ['ipc.client.connection.maxidletime', '0', 'must be greater than 0'],
  ])('refuses %s=%s', async (key, value, message) => {
    expect(await refusal([[key, value]])).toContain(`${key}: ${message}`);
  });

  it('builds the host lists with hadoop.security.authorization, refusing a bad CIDR block (exit 78)', async () => {
    expect(validate(await load([['security.zkfc.protocol.hosts', '10.0.0.0/99']])).problems).toEqual([]);
    const on: Array<readonly [string, string]> = [['hadoop.security.authorization', 'true']];
    const good = validate(await load([...on, ['security.zkfc.protocol.hosts', '10.1.0.0/24']]));
    expect(good.problems).toEqual([]);
    expect(good.serviceAuthorization?.hosts.includes('10.1.0.7')).toBe(true);
    const bad = validate(await load([...on, ['security.service.authorization.default.hosts.blocked', '10.0.0.0/99']]));
    expect(bad.problems).toEqual([
      {
        message:
          'security.service.authorization.default.hosts.blocked: Invalid CIDR syntax : 10.0.0.0/99 ' +
          '(Value [99] not in range [0,32])',
        code: ExitCode.CONFIG,
        key: 'security.service.authorization.default.hosts.blocked',
      },
    ]);
  });

  it('parses the allow-list, and refuses an entry that is neither an address nor a CIDR block, naming it', async () => {
    const good = validate(await load([['zkfc.rpc.allowed-addresses', '10.1.0.0/24, 192.0.2.9']]));
    expect(good.problems).toEqual([]);
    expect(good.rpcAllowList?.allows('10.1.0.2')).toBe(true);
    expect(good.rpcAllowList?.allows('10.1.1.2')).toBe(false);
    const bad = validate(await load([['zkfc.rpc.allowed-addresses', '10.1.0.0/24,nn2.example.com']]));
    expect(bad.problems).toEqual([
      {
        message: "zkfc.rpc.allowed-addresses: 'nn2.example.com' is not an IP address or CIDR block",
        code: ExitCode.CONFIG,
        key: 'zkfc.rpc.allowed-addresses',
      },
    ]);
  });

  it(
    'a world-writable ha.zookeeper.acl (the default) ' + 'is a warning saying what to do; a digest ACL is not',
    async () => {
      const open = validate(await load([]));
      expect(open.problems).toEqual([]);
      expect(open.warnings).toEqual([
        { key: 'ha.zookeeper.acl', message: expect.stringContaining('ha.zookeeper.acl is world-writable') },
      ]);
      expect(open.warnings[0]?.message).toContain('run zkfc -formatZK');
      const closed = validate(await load([['ha.zookeeper.acl', 'digest:hdfs:abc=:rwcda,world:anyone:r']]));
      expect(closed.warnings).toEqual([]);
    },
  );
});
