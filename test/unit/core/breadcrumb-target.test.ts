// Goal: breadcrumb data is only ever turned into a fencing target that our configuration vouches
// for (Hadoop's dataToTarget), and every refusal says what is wrong.
// Method: table of decoded breadcrumbs against a two-NameNode configuration.

import { describe, expect, it } from 'vitest';
import { breadcrumbTarget } from '../../../src/core/controller/breadcrumb-target.js';
import type { ActiveNodeInfo, NamenodeTarget } from '../../../src/core/types.js';
import { NN1 as nn1, NN2 as nn2 } from '../../support/namenode-targets.js';

const good: ActiveNodeInfo = {
  nameserviceId: 'ns1',
  namenodeId: 'nn2',
  hostname: 'nn2.example.com',
  port: 8020,
  zkfcPort: 8019,
};
const bytes = new Uint8Array([1, 2, 3]);

describe('breadcrumbTarget', () => {
  it('returns the configured target when nameservice, id, host and port match (host case-insensitive)', () => {
    const result = breadcrumbTarget(bytes, { ok: true, info: { ...good, hostname: 'NN2.example.com' } }, [nn1, nn2]);
    expect(result).toEqual({ ok: true, target: nn2, info: { ...good, hostname: 'NN2.example.com' } });
  });

  it.each([
    ['undecoded data', undefined, 'Invalid data in ZK: 010203'],
    [
      'a decode error',
      { ok: false as const, error: 'Invalid data in ZK at /x: truncated' },
      'Invalid data in ZK at /x: truncated',
    ],
    [
      'another nameservice',
      { ok: true as const, info: { ...good, nameserviceId: 'ns9' } },
      'Mismatched nameservice stored in ZK',
    ],
    [
      'an unknown namenode id',
      { ok: true as const, info: { ...good, namenodeId: 'nn7' } },
      'Unknown namenode id stored in ZK',
    ],
    [
      'another host',
      { ok: true as const, info: { ...good, hostname: 'old-host' } },
      'Mismatched address stored in ZK for NameNode at nn2.example.com:8020 (ns1.nn2)',
    ],
    [
      'another port',
      { ok: true as const, info: { ...good, port: 9000 } },
      'address from our own configuration for this NameNode was nn2.example.com:8020',
    ],
  ])('refuses %s', (_what, decoded, message) => {
    const result = breadcrumbTarget(bytes, decoded, [nn1, nn2]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('quotes a forged 64 KiB hostname (any ZooKeeper client can write one) cut to 256 characters', () => {
    const result = breadcrumbTarget(bytes, { ok: true, info: { ...good, hostname: 'f'.repeat(64 * 1024) } }, [
      nn1,
      nn2,
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(`hostname: "${'f'.repeat(256)}…[${64 * 1024 - 256} more chars]"`);
      expect(result.error.length).toBeLessThan(700);
    }
  });
});

describe('breadcrumbTarget with resolved aliases (Java writes getHostName())', () => {
  const ipTarget: NamenodeTarget = {
    nameserviceId: 'ns1',
    namenodeId: 'nn2',
    serviceAddress: { host: '127.0.0.1', port: 8020 },
    zkfcPort: 8019,
    serviceHostAliases: ['localhost'],
  };

  it('accepts a Java breadcrumb naming "localhost" for a configured 127.0.0.1', () => {
    const result = breadcrumbTarget(bytes, { ok: true, info: { ...good, hostname: 'localhost' } }, [nn1, ipTarget]);
    expect(result).toMatchObject({ ok: true, target: ipTarget });
  });

  it('still refuses a host that is neither the configured one nor an alias', () => {
    const result = breadcrumbTarget(bytes, { ok: true, info: { ...good, hostname: 'other.example.com' } }, [
      nn1,
      ipTarget,
    ]);
    expect(result.ok).toBe(false);
  });
});
