// Goal: the test realm (tools/testing/kdc.ts) is a real MIT KDC that tests can rely on: service
// principals in a keytab and a user with a password get tickets with Debian's kinit, the realm's
// files stay in its own directory, and stop() ends the KDC process by its pid.
// Method: startKdc on a free loopback port; kinit / klist against it with KRB5_CONFIG set.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';
import { processAlive } from '../../../tools/testing/processes.js';

let kdc: Kdc;

beforeAll(async () => {
  kdc = await startKdc();
}, 60_000);

afterAll(async () => {
  await kdc?.stop();
});

function klist(ccache: string): string {
  const result = spawnSync('klist', ['-c', ccache], { env: { ...process.env, ...kdc.env }, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

describe('the test KDC', () => {
  it('issues tickets to service principals from a keytab and to a user with a password', () => {
    const keytab = kdc.addServicePrincipals(['nn/localhost', 'HTTP/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
    expect(existsSync(keytab)).toBe(true);
    const nnCache = `FILE:${join(kdc.baseDir, 'nn.ccache')}`;
    kdc.kinitKeytab('nn/localhost', keytab, nnCache);
    expect(klist(nnCache)).toContain(`Default principal: nn/localhost@${kdc.realm}`);
    expect(klist(nnCache)).toContain(`krbtgt/${kdc.realm}@${kdc.realm}`);

    kdc.addUser('alice', 'alice-password');
    const aliceCache = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
    kdc.kinitPassword('alice', 'alice-password', aliceCache);
    expect(klist(aliceCache)).toContain(`Default principal: alice@${kdc.realm}`);
    expect(() => kdc.kinitPassword('alice', 'wrong', aliceCache)).toThrow(/kinit alice@ZKFC.TEST failed/);
  });

  it('keeps its files in its own directory and stops by pid', async () => {
    expect(kdc.krb5Conf.startsWith(kdc.baseDir)).toBe(true);
    expect(kdc.kdcConf.startsWith(kdc.baseDir)).toBe(true);
    const pid = kdc.process.pid!;
    expect(processAlive(pid)).toBe(true);
    const other = await startKdc({ realm: 'OTHER.TEST' });
    expect(other.port).not.toBe(kdc.port);
    await other.stop();
    expect(processAlive(other.process.pid!)).toBe(false);
    expect(existsSync(other.baseDir)).toBe(false);
    expect(processAlive(pid)).toBe(true);
  });
});
