// Goal: the GSSAPI binding (src/kerberos/gssapi.ts) establishes real Kerberos security contexts
// through MIT's libgssapi_krb5: an initiator with credentials from a named cache or from a client
// keytab, an acceptor with a keytab, mutual authentication, both principals known on both sides,
// wrap / unwrap with and without confidentiality both ways, and failures as GssError with MIT's
// own text (unknown service, no credentials) and no key material.
// Method: a test realm (tools/testing/kdc.ts); the two contexts talk in-process.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GssError,
  GssFlag,
  loadGssapi,
  type Gssapi,
  type GssAcceptor,
  type GssInitiator,
} from '../../../src/kerberos/gssapi.js';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';

let kdc: Kdc;
let gss: Gssapi;
let serviceKeytab: string;
let userKeytab: string;
let aliceCache: string;

beforeAll(async () => {
  kdc = await startKdc();
  process.env['KRB5_CONFIG'] = kdc.krb5Conf;
  serviceKeytab = kdc.addServicePrincipals(['nn/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
  userKeytab = kdc.addServicePrincipals(['zkfc/localhost'], join(kdc.baseDir, 'keytabs/zkfc.keytab'));
  kdc.addUser('alice', 'alice-password');
  aliceCache = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
  kdc.kinitPassword('alice', 'alice-password', aliceCache);
  gss = await loadGssapi();
}, 60_000);

afterAll(async () => {
  await kdc?.stop();
});

async function establish(initiator: GssInitiator, acceptor: GssAcceptor): Promise<void> {
  let token = await initiator.step(new Uint8Array(0));
  for (let i = 0; i < 10 && !(initiator.complete && acceptor.complete); i++) {
    if (!acceptor.complete) token = await acceptor.step(token);
    if (!initiator.complete) token = await initiator.step(token);
  }
  expect(initiator.complete).toBe(true);
  expect(acceptor.complete).toBe(true);
}

const FLAGS = GssFlag.MUTUAL | GssFlag.SEQUENCE | GssFlag.REPLAY | GssFlag.CONF | GssFlag.INTEG;

describe('the GSSAPI binding', () => {
  it('establishes a mutually authenticated context from a ticket cache and wraps both ways', async () => {
    const initiator = gss.initiator({
      service: 'nn',
      host: 'localhost',
      flags: FLAGS,
      credentials: { ccache: aliceCache },
    });
    const acceptor = gss.acceptor({ principal: kdc.principal('nn/localhost'), credentials: { keytab: serviceKeytab } });
    try {
      await establish(initiator, acceptor);
      expect(initiator.sourceName).toBe(kdc.principal('alice'));
      expect(acceptor.sourceName).toBe(kdc.principal('alice'));
      const secret = new TextEncoder().encode('monitorHealth');
      for (const confidential of [true, false]) {
        const token = initiator.wrap(secret, confidential);
        // Privacy encrypts: the plaintext is not in the token; integrity only signs it.
        expect(Buffer.from(token).includes(Buffer.from(secret))).toBe(!confidential);
        const unwrapped = acceptor.unwrap(token);
        expect(Buffer.from(unwrapped.data).toString()).toBe('monitorHealth');
        expect(unwrapped.confidential).toBe(confidential);
        const back = initiator.unwrap(acceptor.wrap(secret, confidential));
        expect(Buffer.from(back.data).toString()).toBe('monitorHealth');
      }
      expect(initiator.wrapSizeLimit(true, 65536)).toBeGreaterThan(65000);
    } finally {
      initiator.dispose();
      acceptor.dispose();
    }
  });

  it('gets initial credentials from a client keytab into a private cache', async () => {
    const ccache = `FILE:${join(kdc.baseDir, 'zkfc.ccache')}`;
    const info = await gss.inquireCredentials({
      principal: kdc.principal('zkfc/localhost'),
      credentials: { ccache, clientKeytab: userKeytab },
    });
    expect(info.principal).toBe(kdc.principal('zkfc/localhost'));
    const initiator = gss.initiator({
      service: 'nn',
      host: 'localhost',
      flags: FLAGS,
      principal: kdc.principal('zkfc/localhost'),
      credentials: { ccache, clientKeytab: userKeytab },
    });
    const acceptor = gss.acceptor({ credentials: { keytab: serviceKeytab } });
    try {
      await establish(initiator, acceptor);
      expect(acceptor.sourceName).toBe(kdc.principal('zkfc/localhost'));
    } finally {
      initiator.dispose();
      acceptor.dispose();
    }
  });

  it('fails with MIT text for an unknown service and for missing credentials, without key material', async () => {
    const unknown = gss.initiator({
      service: 'nope',
      host: 'localhost',
      flags: FLAGS,
      credentials: { ccache: aliceCache },
    });
    const error = await unknown.step(new Uint8Array(0)).catch((e: unknown) => e);
    unknown.dispose();
    expect(error).toBeInstanceOf(GssError);
    expect((error as GssError).message).toMatch(/gss_init_sec_context: .*Server .*not found in Kerberos database/);

    const empty = `FILE:${join(kdc.baseDir, 'nobody.ccache')}`;
    const none = gss.initiator({ service: 'nn', host: 'localhost', flags: FLAGS, credentials: { ccache: empty } });
    const missing = await none.step(new Uint8Array(0)).catch((e: unknown) => e);
    none.dispose();
    expect(missing).toBeInstanceOf(GssError);
    expect((missing as GssError).message).toMatch(/No Kerberos credentials available|No credentials cache found/);
    const keytabBytes = readFileSync(serviceKeytab).toString('latin1');
    expect((missing as GssError).message).not.toContain(keytabBytes.slice(-16));
  });
});
