// Goal: the NameNode HTTP view is configured safely: 5 s between reads and 2 s per read by
// default, 0 turns it off, a zero timeout is refused naming the key (exit 78); Hadoop's
// dfs.http.policy=HTTPS_ONLY (no plain HTTP on the NameNode) is a warning naming that key, not a
// refusal, and makes every read fail as notConfigured, with the same text; ResourceManagers have
// no such view. The cluster view's address of each NameNode follows that NameNode's own policy,
// read from the configuration once, not at every read.
// Method: load a real Hadoop XML configuration with -D overrides, then the daemon's validate() and
// its wiring helpers (src/daemon/namenode-http.ts).
import { describe, expect, it } from 'vitest';
import { tempHdfsSiteDir } from '../../../tools/testing/conf-xml.js';
import { loadZkfcConfig } from '../../../src/config/load.js';
import { validate } from '../../../src/daemon/validate.js';
import {
  namenodeHttpAddressOf,
  namenodeHttpConfigProblem,
  namenodeHttpEnabled,
} from '../../../src/daemon/namenode-http.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

function confDir(extra: Record<string, string> = {}): string {
  return tempHdfsSiteDir('zkfc-nn-http-settings-', {
    'ha.zookeeper.quorum': 'zk1:2181',
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
    'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
    'dfs.ha.fencing.methods': 'shell(/bin/true)',
    'dfs.ha.automatic-failover.enabled': 'true',
    ...extra,
  });
}
const probe = { localAddresses: () => ['10.1.0.1'], resolve: async (host: string) => [host] };

async function load(defines: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}) {
  return loadZkfcConfig({ hadoopConfDir: confDir(extra), env: {}, defines, probe });
}

describe('NameNode HTTP view settings', () => {
  it('defaults: read every 5 s, 2 s per read; 0 turns the view off', async () => {
    const config = await load([]);
    expect(config.settings.namenodeHttp).toEqual({ intervalMs: 5000, timeoutMs: 2000 });
    expect(namenodeHttpEnabled(config)).toBe(true);
    expect(namenodeHttpEnabled(await load([['zkfc.namenode-http.interval.ms', '0']]))).toBe(false);
  });

  it('refuses a zero timeout with the key named (exit 78)', async () => {
    const error = await load([['zkfc.namenode-http.timeout.ms', '0']]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.CONFIG);
    expect((error as Error).message).toContain('zkfc.namenode-http.timeout.ms: must be greater than 0');
  });

  it('dfs.http.policy=HTTPS_ONLY is a warning naming the key, not a refusal; off, no warning', async () => {
    const https = await load([], { 'dfs.http.policy': 'HTTPS_ONLY' });
    const problem = namenodeHttpConfigProblem(https);
    expect(problem).toBe(
      'dfs.http.policy is HTTPS_ONLY: the NameNode serves no plain HTTP, and zkfc reads its HTTP view ' +
        '(JMX, /isActive) over plain HTTP only; set zkfc.namenode-http.interval.ms=0 to stop trying',
    );
    const validated = validate(https);
    expect(validated.problems).toEqual([]);
    expect(validated.warnings).toContainEqual({ key: 'dfs.http.policy', message: problem });
    const off = await load([['zkfc.namenode-http.interval.ms', '0']], { 'dfs.http.policy': 'HTTPS_ONLY' });
    expect(validate(off).warnings.map((w) => w.key)).not.toContain('dfs.http.policy');
    for (const policy of ['HTTP_ONLY', 'HTTP_AND_HTTPS'])
      expect(namenodeHttpConfigProblem(await load([], { 'dfs.http.policy': policy }))).toBeUndefined();
  });

  it("the cluster view's HTTP address of each NameNode follows dfs.http.policy, read once per NameNode", async () => {
    const addresses = async (extra: Record<string, string>) => {
      const config = await load([], { 'dfs.namenode.http-address.ns1.nn1': '10.1.0.1:9870', ...extra });
      const reads: string[] = [];
      const counting = {
        ...config,
        confForNamenode(namenodeId: string): ReadonlyMap<string, string> {
          reads.push(namenodeId);
          return config.confForNamenode(namenodeId);
        },
      };
      const addressOf = namenodeHttpAddressOf(counting);
      const seen = [1, 2, 3].map(() => config.namenodes.map((nn) => addressOf(nn)));
      return { seen, reads };
    };
    const plain = await addresses({});
    // nn2 has no http-address: Hadoop's default port on its RPC host.
    for (const read of plain.seen)
      expect(read).toEqual([
        { host: '10.1.0.1', port: 9870 },
        { host: '10.1.0.2', port: 9870 },
      ]);
    expect(plain.reads).toEqual(['nn1', 'nn2']);
    const https = await addresses({ 'dfs.http.policy': 'HTTPS_ONLY' });
    for (const read of https.seen)
      expect(read).toEqual(
        ['nn1', 'nn2'].map(
          (nn) => `dfs.http.policy is HTTPS_ONLY for ${nn}: its transaction id is not read (plain HTTP only)`,
        ),
      );
    expect(https.reads).toEqual(['nn1', 'nn2']);
  });
});
