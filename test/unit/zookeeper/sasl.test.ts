// Goal: the pieces of ZooKeeper SASL that need no server: the JAAS parser (Krb5LoginModule and
// DigestLoginModule options, comments, quoting, errors naming file and line), the DIGEST-MD5 client
// against RFC 2831's example, the OpCode.sasl packet layout (ZooKeeper's jute records), the
// exchange loop of ZooKeeperSaslClient, HADOOP_ZKFC_OPTS's -D properties, and sasl: ACLs parsed as
// ZKUtil.parseACLs does.
import { describe, expect, it } from 'vitest';
import { javaSystemProperties } from '../../../src/daemon/zk-sasl.js';
import { parseZkAcl } from '../../../src/zookeeper/acl.js';
import { JaasConfigError, parseJaas, zkSaslLogin } from '../../../src/zookeeper/jaas.js';
import {
  DigestMd5SaslClient,
  digestResponseValue,
  parseDigestDirectives,
} from '../../../src/zookeeper/sasl-digest-md5.js';
import { decodeSaslReply, encodeSaslRequest, ERR_AUTHFAILED } from '../../../src/zookeeper/sasl-packets.js';
import { runSaslExchange } from '../../../src/zookeeper/sasl.js';

const FILE = '/etc/hadoop/zkfc-jaas.conf';

describe('JAAS file', () => {
  it('reads a Krb5LoginModule Client section as a Java ZKFC has it, with comments and quoting', () => {
    const text = [
      '/* ZooKeeper client */',
      'Client {',
      '  com.sun.security.auth.module.Krb5LoginModule required',
      '  useKeyTab=true // from the keytab',
      '  keyTab="/etc/security/keytabs/zkfc.keytab"',
      '  storeKey=true useTicketCache=false doNotPrompt=true',
      '  principal="zkfc/nn1.example.com@EXAMPLE.COM";',
      '};',
      'Server { org.apache.zookeeper.server.auth.DigestLoginModule required user_bob="p\\"w"; };',
    ].join('\n');
    const sections = parseJaas(text, FILE);
    expect(sections.map((s) => s.name)).toEqual(['Client', 'Server']);
    expect(sections[1]!.modules[0]!.options.get('user_bob')).toBe('p"w');
    expect(zkSaslLogin(sections, 'Client', FILE)).toEqual({
      mechanism: 'GSSAPI',
      principal: 'zkfc/nn1.example.com@EXAMPLE.COM',
      keytab: '/etc/security/keytabs/zkfc.keytab',
      ticketCache: undefined,
      line: 3,
    });
  });

  it('reads a DigestLoginModule section, and a ticket-cache Krb5LoginModule', () => {
    const digest = parseJaas(
      'Client {\n org.apache.zookeeper.server.auth.DigestLoginModule required username="bob" password="s3cret";\n};',
      FILE,
    );
    expect(zkSaslLogin(digest, 'Client', FILE)).toEqual({
      mechanism: 'DIGEST-MD5',
      username: 'bob',
      password: 's3cret',
      line: 2,
    });
    const cache = parseJaas(
      'ZkClient { com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true ticketCache=/tmp/c; };',
      FILE,
    );
    expect(zkSaslLogin(cache, 'ZkClient', FILE)).toMatchObject({ mechanism: 'GSSAPI', ticketCache: '/tmp/c' });
  });

  it.each([
    [
      'Client {\n  com.sun.security.auth.module.Krb5LoginModule required\n' +
        '  useKeyTab=true keyTab="/k" principal="p"\n};',
      4,
      "expected an option name or ';'",
    ],
    ['Client {\n  x.Y mandatory;\n};', 2, "invalid control flag 'mandatory'"],
    ['Client {\n  x.Y required a="b;\n};', 2, 'unterminated quoted string'],
    ['Client {\n  x.Y required;\n}', 3, "expected ';' after the '}' of section Client"],
  ])('a malformed file is refused naming file and line (%#)', (text, line, detail) => {
    let error: unknown;
    try {
      parseJaas(text, FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JaasConfigError);
    expect((error as JaasConfigError).message).toContain(`JAAS configuration ${FILE} line ${line}: ${detail}`);
    expect((error as JaasConfigError).exitCode).toBe(78);
  });

  it('a missing section, a keytab without principal, a digest user without password are refused', () => {
    const krb = parseJaas(
      'Client { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab=/k; };',
      FILE,
    );
    expect(() => zkSaslLogin(krb, 'ZkClient', FILE)).toThrow(
      `JAAS configuration ${FILE}: no section 'ZkClient' (sections: Client)`,
    );
    expect(() => zkSaslLogin(krb, 'Client', FILE)).toThrow('useKeyTab=true needs principal=');
    const digest = parseJaas(
      'Client { org.apache.zookeeper.server.auth.DigestLoginModule required username=bob; };',
      FILE,
    );
    expect(() => zkSaslLogin(digest, 'Client', FILE)).toThrow(
      `${FILE} line 1: org.apache.zookeeper.server.auth.DigestLoginModule in section Client has no password`,
    );
  });
});

describe('DIGEST-MD5 (RFC 2831)', () => {
  // RFC 2831 section 4, the IMAP example.
  const inputs = {
    username: 'chris',
    realm: 'elwood.innosoft.com',
    password: 'secret',
    nonce: 'OA6MG9tEQGm2hh',
    cnonce: 'OA6MHXh6VqTrRk',
    nc: '00000001',
    qop: 'auth',
    digestUri: 'imap/elwood.innosoft.com',
    utf8: false,
  };

  it("computes the example's response and rspauth", () => {
    expect(digestResponseValue(inputs, 'AUTHENTICATE')).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(digestResponseValue(inputs, '')).toBe('ea40f60335c427b5527b84dbabcdfffd');
  });

  it('answers the challenge of the example, then checks rspauth', async () => {
    const client = new DigestMd5SaslClient('chris', 'secret', 'imap/elwood.innosoft.com', () => 'OA6MHXh6VqTrRk');
    expect(client.hasInitialResponse).toBe(false);
    const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
    const response = Buffer.from((await client.evaluateChallenge(Buffer.from(challenge)))!).toString();
    const fields = parseDigestDirectives(response);
    expect(fields.get('response')).toBe('d388dad90d4bbd760a152321f2143af7');
    expect(fields.get('username')).toBe('chris');
    expect(fields.get('digest-uri')).toBe('imap/elwood.innosoft.com');
    expect(fields.get('nc')).toBe('00000001');
    expect(response).not.toContain('secret');
    expect(client.complete).toBe(false);
    expect(await client.evaluateChallenge(Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'))).toBeUndefined();
    expect(client.complete).toBe(true);
  });

  it('refuses a server that does not prove the password', async () => {
    const client = new DigestMd5SaslClient('chris', 'secret', 'imap/elwood.innosoft.com', () => 'OA6MHXh6VqTrRk');
    await client.evaluateChallenge(Buffer.from('realm="r",nonce="n",qop="auth",algorithm=md5-sess'));
    await expect(client.evaluateChallenge(Buffer.from('rspauth=00'))).rejects.toThrow('rspauth mismatch');
  });
});

describe('ZooKeeper SASL packets', () => {
  it('a GetSASLRequest is length | xid | OpCode.sasl (102) | buffer token', () => {
    expect(encodeSaslRequest(7, new Uint8Array([0xaa, 0xbb])).toString('hex')).toBe(
      '0000000e' + '00000007' + '00000066' + '00000002' + 'aabb',
    );
    expect(encodeSaslRequest(1, new Uint8Array(0)).toString('hex')).toBe('0000000c000000010000006600000000');
  });

  it('a reply is ReplyHeader (xid, zxid, err) | SetSASLResponse buffer, -1 for null', () => {
    const reply = Buffer.from('00000007' + '0000000000000009' + '00000000' + '00000003' + '010203', 'hex');
    expect(decodeSaslReply(reply)).toEqual({ xid: 7, zxid: 9n, err: 0, token: new Uint8Array([1, 2, 3]) });
    const refused = Buffer.from('00000008' + '0000000000000000' + 'ffffff8d' + 'ffffffff', 'hex');
    expect(decodeSaslReply(refused)).toEqual({ xid: 8, zxid: 0n, err: ERR_AUTHFAILED, token: null });
    expect(() => decodeSaslReply(Buffer.from('00000001', 'hex'))).toThrow('too short');
    expect(() => decodeSaslReply(Buffer.from('00000001' + '00'.repeat(12) + '00000010', 'hex'))).toThrow('exceeds');
  });

  it('the exchange sends an empty first token for DIGEST-MD5 and stops after rspauth; a refusal rejects', async () => {
    const sent: string[] = [];
    const answers = ['realm="r",nonce="n",qop="auth",algorithm=md5-sess,charset=utf-8'];
    const client = new DigestMd5SaslClient('u', 'p', 'zookeeper/zk-sasl-md5', () => 'c');
    await runSaslExchange(client, {
      send: (token) => {
        sent.push(Buffer.from(token).toString());
        if (sent.length === 2) {
          const fields = parseDigestDirectives(sent[1]!);
          const rspauth = digestResponseValue(
            {
              username: 'u',
              realm: 'r',
              password: 'p',
              nonce: 'n',
              cnonce: 'c',
              nc: '00000001',
              qop: 'auth',
              digestUri: 'zookeeper/zk-sasl-md5',
              utf8: true,
            },
            '',
          );
          expect(fields.get('digest-uri')).toBe('zookeeper/zk-sasl-md5');
          return Promise.resolve({ xid: 2, zxid: 0n, err: 0, token: Buffer.from(`rspauth=${rspauth}`) });
        }
        return Promise.resolve({ xid: 1, zxid: 0n, err: 0, token: Buffer.from(answers[0]!) });
      },
    });
    expect(sent.length).toBe(2);
    expect(sent[0]).toBe('');
    const refused = new DigestMd5SaslClient('u', 'p');
    await expect(
      runSaslExchange(refused, { send: () => Promise.resolve({ xid: 1, zxid: 0n, err: ERR_AUTHFAILED, token: null }) }),
    ).rejects.toThrow('the server refused the authentication (AUTHFAILED)');
  });
});

describe('configuration', () => {
  it('reads -D properties from HADOOP_ZKFC_OPTS as hadoop-env.sh writes them', () => {
    const props = javaSystemProperties(
      '-Xmx1g -Djava.security.auth.login.config=/etc/hadoop/zk-jaas.conf ' +
        '"-Dzookeeper.server.principal=zookeeper/_HOST@R" -Dflag',
    );
    expect(props.get('java.security.auth.login.config')).toBe('/etc/hadoop/zk-jaas.conf');
    expect(props.get('zookeeper.server.principal')).toBe('zookeeper/_HOST@R');
    expect(props.get('flag')).toBe('');
    expect(javaSystemProperties(undefined).size).toBe(0);
  });

  it('sasl: ACLs parse as ZKUtil.parseACLs does (the id may hold / and @)', () => {
    expect(parseZkAcl('sasl:zkfc/nn1.example.com@EXAMPLE.COM:rwcda, sasl:bob:r')).toEqual([
      { scheme: 'sasl', id: 'zkfc/nn1.example.com@EXAMPLE.COM', perms: 31 },
      { scheme: 'sasl', id: 'bob', perms: 1 },
    ]);
  });
});
