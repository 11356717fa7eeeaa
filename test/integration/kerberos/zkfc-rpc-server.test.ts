// Goal: our ZKFCProtocol server with Kerberos does what Hadoop's IPC Server does for ZKFCRpcServer:
// a client authenticated by SASL GSSAPI against the daemon's keytab (privacy: every frame both ways
// wrapped and encrypted) calls gracefulFailover and cedeActive as its principal; the admin ACL and
// security.zkfc.protocol.acl see the short name (hadoop.security.auth_to_local rules), and
// security.zkfc.protocol.hosts / .hosts.blocked the peer's address after the user passed; a SIMPLE
// client, a non-administrator, a user the service ACL denies or blocks, a principal no rule maps, a
// client without credentials and garbage SASL tokens are refused with Hadoop's messages naming the
// principal or the peer, and the server keeps serving.
// Method: a test realm (tools/testing/kdc.ts: MIT's KDC on loopback), our ZkfcRpcServer on
// 127.0.0.1 with nn/localhost's keytab, our IPC client from users' ticket caches (kinit), and a
// raw socket for the scripted hostile client.

import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KerberosIpcAuthentication,
  KerberosIpcServerAuthentication,
} from '../../../src/hadoop/kerberos-authentication.js';
import { ZkfcServiceAuthorization } from '../../../src/hadoop/service-authorization.js';
import { RpcZkfcClientFactory } from '../../../src/hadoop/zkfc-client.js';
import { ZkfcRpcServer } from '../../../src/hadoop/zkfc-rpc-server.js';
import { loadGssapi, type Gssapi } from '../../../src/kerberos/gssapi.js';
import { AuthToLocal } from '../../../src/kerberos/kerberos-name.js';
import type { SaslQop } from '../../../src/kerberos/sasl-gssapi.js';
import { createLogger, type Logger } from '../../../src/observability/logger.js';
import { encodePreamble } from '../../../src/ipc/codec/preamble.js';
import { AuthProtocol } from '../../../src/ipc/codec/constants.js';
import { encodeSaslMessage } from '../../../src/ipc/sasl.js';
import { RpcSaslProto_SaslState } from '../../../src/gen/RpcHeader_pb.js';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';

/** A logger whose JSON lines are kept. */
function memoryLogger(): { logger: Logger; entries: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

let kdc: Kdc;
let gss: Gssapi;
let nnKeytab: string;
const caches: Record<string, string> = {};

beforeAll(async () => {
  kdc = await startKdc();
  process.env['KRB5_CONFIG'] = kdc.krb5Conf;
  nnKeytab = kdc.addServicePrincipals(['nn/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
  for (const user of ['alice', 'bob', 'carol']) {
    kdc.addUser(user, `${user}-password`);
    const cache = `FILE:${join(kdc.baseDir, `${user}.ccache`)}`;
    caches[user] = cache;
    kdc.kinitPassword(user, `${user}-password`, cache);
  }
  gss = await loadGssapi();
}, 60_000);

afterAll(async () => {
  await kdc?.stop();
});

interface Started {
  port: number;
  calls: string[];
  log: ReturnType<typeof memoryLogger>;
  close: () => Promise<void>;
}

async function startServer(
  options: {
    qops?: SaslQop[];
    acl?: string;
    blocked?: string;
    hosts?: string;
    blockedHosts?: string;
    authToLocal?: AuthToLocal;
    loginShortName?: string;
  } = {},
): Promise<Started> {
  const authorization =
    options.acl !== undefined || options.blocked !== undefined || options.hosts !== undefined
      ? new ZkfcServiceAuthorization(
          {
            acl: options.acl ?? null,
            blocked: options.blocked ?? null,
            defaultAcl: '*',
            defaultBlockedAcl: '',
            hosts: options.hosts ?? null,
            blockedHosts: options.blockedHosts ?? null,
          },
          { groupsOf: () => [] },
        )
      : undefined;
  await authorization?.resolveHostNames();
  const calls: string[] = [];
  const log = memoryLogger();
  const server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: 'alice,carol',
    loginUser: kdc.principal('nn/localhost'),
    ...(options.loginShortName !== undefined ? { loginShortName: options.loginShortName } : {}),
    handler: {
      cedeActive: async (millis, caller) => void calls.push(`cede ${millis} ${caller}`),
      gracefulFailover: async (caller) => void calls.push(`failover ${caller}`),
    },
    logger: log.logger,
    sasl: new KerberosIpcServerAuthentication({
      gss,
      principal: kdc.principal('nn/localhost'),
      keytab: nnKeytab,
      qops: options.qops ?? ['auth-conf'],
      ...(options.authToLocal !== undefined ? { authToLocal: options.authToLocal } : {}),
    }),
    ...(authorization !== undefined ? { serviceAuthorization: authorization } : {}),
  });
  const { port } = await server.listen();
  return { port, calls, log, close: () => server.close() };
}

function client(user: string | undefined, qops: SaslQop[] = ['auth-conf']): RpcZkfcClientFactory {
  if (user === undefined) return new RpcZkfcClientFactory({ effectiveUser: 'alice', connectTimeoutMs: 5_000 });
  return new RpcZkfcClientFactory({
    connectTimeoutMs: 5_000,
    sasl: new KerberosIpcAuthentication({
      gss,
      serverPrincipal: kdc.principal('nn/_HOST'),
      credentials: { ccache: caches[user] ?? `FILE:${join(kdc.baseDir, 'none.ccache')}` },
      qops,
      fallbackToSimpleAllowed: false,
      simpleUser: user,
      ticketCache: caches[user] ?? 'none',
      hostName: async () => 'localhost',
    }),
  });
}

async function failover(factory: RpcZkfcClientFactory, port: number): Promise<string> {
  const zkfc = factory.create({ host: '127.0.0.1', port });
  try {
    await zkfc.gracefulFailover(10_000);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    zkfc.close();
  }
}

describe('the ZKFCProtocol server with Kerberos', () => {
  it('serves gracefulFailover and cedeActive to an administrator over privacy, as the principal', async () => {
    const server = await startServer();
    try {
      const factory = client('alice');
      expect(await failover(factory, server.port)).toBe('ok');
      const zkfc = factory.create({ host: '127.0.0.1', port: server.port });
      await zkfc.cedeActive(5_000, 10_000);
      zkfc.close();
      expect(server.calls).toEqual([
        `failover ${kdc.principal('alice')} at 127.0.0.1`,
        `cede 5000 ${kdc.principal('alice')} at 127.0.0.1`,
      ]);
      const done = server.log.entries().filter((e) => e['msg'] === 'ipc SASL authentication complete');
      expect(done[0]).toMatchObject({ principal: kdc.principal('alice'), protection: 'privacy' });
    } finally {
      await server.close();
    }
  });

  it('negotiates integrity when that is what both sides allow', async () => {
    const server = await startServer({ qops: ['auth-int', 'auth'] });
    try {
      expect(await failover(client('alice', ['auth-int']), server.port)).toBe('ok');
      const done = server.log.entries().filter((e) => e['msg'] === 'ipc SASL authentication complete');
      expect(done[0]).toMatchObject({ protection: 'integrity' });
      // A client that wants privacy only finds no common layer.
      expect(await failover(client('alice', ['auth-conf']), server.port)).toMatch(/No common protection layer/);
    } finally {
      await server.close();
    }
  });

  it('refuses a SIMPLE client, a non-administrator and a client without credentials, and keeps serving', async () => {
    const server = await startServer();
    try {
      expect(await failover(client(undefined), server.port)).toContain(
        'SIMPLE authentication is not enabled.  Available:[KERBEROS]',
      );
      expect(await failover(client('bob'), server.port)).toContain(
        `Disallowed RPC access from ${kdc.principal('bob')} (auth:KERBEROS) at 127.0.0.1. ` +
          'Not listed in dfs.cluster.administrators',
      );
      const none = await failover(client('nobody'), server.port);
      expect(none).toMatch(/SASL authentication with .* failed/);
      expect(none).toContain('none');
      expect(await failover(client('alice'), server.port)).toBe('ok');
      expect(server.calls).toEqual([`failover ${kdc.principal('alice')} at 127.0.0.1`]);
    } finally {
      await server.close();
    }
  });

  it('applies security.zkfc.protocol.acl and its blocked list to the short name', async () => {
    const server = await startServer({ acl: 'alice,carol', blocked: 'carol' });
    try {
      expect(await failover(client('alice'), server.port)).toBe('ok');
      expect(await failover(client('carol'), server.port)).toContain(
        `User ${kdc.principal('carol')} (auth:KERBEROS) is not authorized for protocol ` +
          'interface org.apache.hadoop.ha.ZKFCProtocol: denied by configured ACL',
      );
      expect(await failover(client('bob'), server.port)).toContain(
        `User ${kdc.principal('bob')} (auth:KERBEROS) is not authorized for protocol`,
      );
      const refused = server.log
        .entries()
        .filter((e) => e['msg'] === 'ipc connection refused by service authorization');
      expect(refused.map((e) => e['user'])).toEqual([kdc.principal('carol'), kdc.principal('bob')]);
      expect(String(refused[0]?.['peer'])).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });

  it('applies security.zkfc.protocol.hosts and its blocked list to the peer address, after the ACL', async () => {
    const hostMessage = 'Host 127.0.0.1 is not authorized for protocol interface org.apache.hadoop.ha.ZKFCProtocol';
    const elsewhere = await startServer({ acl: 'alice,carol', hosts: '10.0.0.0/8, 192.0.2.1' });
    try {
      expect(await failover(client('alice'), elsewhere.port)).toContain(hostMessage);
      // The user's ACL is checked first: bob hears about the ACL.
      expect(await failover(client('bob'), elsewhere.port)).toContain(
        `User ${kdc.principal('bob')} (auth:KERBEROS) is not authorized for protocol`,
      );
      expect(elsewhere.calls).toEqual([]);
      const refused = elsewhere.log
        .entries()
        .filter((e) => e['msg'] === 'ipc connection refused by service authorization');
      expect(refused[0]).toMatchObject({ user: kdc.principal('alice'), reason: hostMessage });
    } finally {
      await elsewhere.close();
    }
    // A host name matches the addresses it resolves to (localhost: 127.0.0.1).
    const byName = await startServer({ acl: '*', hosts: 'localhost' });
    try {
      expect(await failover(client('alice'), byName.port)).toBe('ok');
    } finally {
      await byName.close();
    }
    const blocked = await startServer({ acl: '*', hosts: '*', blockedHosts: '127.0.0.0/24' });
    try {
      expect(await failover(client('alice'), blocked.port)).toContain(hostMessage);
      expect(blocked.calls).toEqual([]);
    } finally {
      await blocked.close();
    }
  });

  it('maps principals by hadoop.security.auth_to_local for the admin check and the service ACL', async () => {
    // bob acts as alice, alice as nobody, carol matches no rule; the daemon's own nn/ principal maps to hdfs.
    const rules = 'RULE:[1:$1](bob)s/bob/alice/ RULE:[1:$1](alice)s/.*/nobody/ RULE:[2:$1](nn)s/nn/hdfs/';
    const names = new AuthToLocal(rules, kdc.realm);
    const server = await startServer({ authToLocal: names, acl: 'alice,nobody', loginShortName: 'hdfs' });
    try {
      expect(await failover(client('bob'), server.port)).toBe('ok');
      expect(server.calls).toEqual([`failover ${kdc.principal('bob')} at 127.0.0.1`]);
      expect(await failover(client('alice'), server.port)).toContain(
        `Disallowed RPC access from ${kdc.principal('alice')} (auth:KERBEROS) at 127.0.0.1. ` +
          'Not listed in dfs.cluster.administrators',
      );
      expect(await failover(client('carol'), server.port)).toContain(
        `Illegal principal name ${kdc.principal('carol')}: org.apache.hadoop.security.authentication.util.` +
          `KerberosName$NoMatchingRule: No rules applied to ${kdc.principal('carol')}`,
      );
      expect(server.calls).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('answers a garbage GSSAPI token with GSS initiate failed and logs the peer', async () => {
    const server = await startServer();
    try {
      const socket = connect({ host: '127.0.0.1', port: server.port });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(encodePreamble({ authProtocol: AuthProtocol.SASL }));
      socket.write(
        encodeSaslMessage({
          state: RpcSaslProto_SaslState.INITIATE,
          token: new Uint8Array(300).fill(7),
          auths: [{ method: 'KERBEROS', mechanism: 'GSSAPI', protocol: 'nn', serverId: 'localhost' }],
        }),
      );
      await closed;
      const reply = Buffer.concat(chunks).toString('latin1');
      expect(reply).toContain('javax.security.sasl.SaslException');
      expect(reply).toContain('GSS initiate failed');
      const failed = server.log.entries().filter((e) => e['msg'] === 'ipc SASL authentication failed');
      expect(failed).toHaveLength(1);
      expect(String(failed[0]?.['peer'])).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(await failover(client('alice'), server.port)).toBe('ok');
    } finally {
      await server.close();
    }
  });
});
