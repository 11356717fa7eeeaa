// Goal: the shipped examples in config/ are valid configurations that resolve to what their
// comments say (so the docs cannot rot). Method: load them with the daemon's loader, the local
// NameNode injected as nn1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadZkfcConfig } from '../../../src/config/load.js';

const root = join(import.meta.dirname, '../../..');
const probe = {
  localAddresses: () => ['10.0.0.1'],
  resolve: async (host: string) => (host === 'nn1.example.com' ? ['10.0.0.1'] : ['10.0.0.2']),
};

describe('config/ examples', () => {
  it('config/hadoop/*.xml is a complete two-NameNode nameservice', async () => {
    const config = await loadZkfcConfig({ hadoopConfDir: join(root, 'config/hadoop'), env: {}, probe });
    expect(config.local.nameserviceId).toBe('mycluster');
    expect(config.local.namenodeId).toBe('nn1');
    expect(config.peers.map((p) => p.namenodeId)).toEqual(['nn2']);
    expect(config.settings.nameservice.automaticFailoverEnabled).toBe(true);
    expect(config.settings.fencing.methods).toMatch(/^sshfence\(hdfs:22\)\s+shell\(/);
    expect(config.settings.zk.auth).toBe('@/etc/hadoop/conf/zk-auth.txt');
    expect(config.settings.server.httpAddress).toEqual({ host: '0.0.0.0', port: 8021 });
  });

  it('config/zkfc.example.json alone describes the same nameservice', async () => {
    const config = await loadZkfcConfig({
      hadoopConfDir: mkdtempSync(join(tmpdir(), 'empty-conf-')),
      configFile: join(root, 'config/zkfc.example.json'),
      env: {},
      probe,
    });
    expect(config.local.nameserviceId).toBe('mycluster');
    expect(config.peers.map((p) => p.namenodeId)).toEqual(['nn2']);
    expect(config.settings.zk.quorum).toContain('zk1.example.com:2181');
    expect(config.settings.fencing.shellTimeoutMs).toBe(30000);
  });
});
