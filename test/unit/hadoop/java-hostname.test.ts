// Goal: our ActiveNodeInfo host and the aliases we accept follow Java's InetSocketAddress rules:
// a configured name is kept, a configured IP literal becomes its reverse-resolved name (via the
// system resolver, /etc/hosts first), and a host's aliases include its IPs and their names.
// Method: real lookups of loopback names (127.0.0.1 ↔ localhost is in every /etc/hosts).
import { describe, expect, it } from 'vitest';
import { hostAliases, javaHostName, withHostAliases } from '../../../src/hadoop/java-hostname.js';

describe('javaHostName', () => {
  it('keeps a configured name as written', async () => {
    expect(await javaHostName('nn1.example.com')).toBe('nn1.example.com');
  });

  it('reverse-resolves an IP literal like getHostName() (127.0.0.1 → localhost)', async () => {
    expect(await javaHostName('127.0.0.1')).toBe('localhost');
  });

  it('falls back to the IP when there is no name (TEST-NET address)', async () => {
    expect(await javaHostName('192.0.2.77', 1000)).toBe('192.0.2.77');
  });
});

describe('hostAliases', () => {
  it('gives an IP literal its name and a name its IPs', async () => {
    expect(await hostAliases('127.0.0.1')).toContain('localhost');
    expect(await hostAliases('localhost')).toContain('127.0.0.1');
  });

  it('fills serviceHostAliases on targets', async () => {
    const [target] = await withHostAliases([
      { nameserviceId: 'ns1', namenodeId: 'nn1', serviceAddress: { host: '127.0.0.1', port: 8020 }, zkfcPort: 8019 },
    ]);
    expect(target?.serviceHostAliases).toContain('localhost');
  });
});
