// Goal: every way a TLS connection to ZooKeeper fails is told to the operator as what happened and
// what to change, naming the server and the file or setting: an untrusted server certificate (the
// truststore), an expired one, one that does not name the host (the hostname-verification switch),
// our certificate refused by the server (the keystore), a handshake broken by a plaintext port; a
// plain network failure (refused, unreachable, a reset after the handshake) is no TLS matter.
// Method: errors shaped as node:tls reports them (code, reason), through describeTlsFailure.
import { describe, expect, it } from 'vitest';
import { describeTlsFailure, type ZkTlsConfig } from '../../../src/zookeeper/tls.js';

const CONFIG: ZkTlsConfig = {
  keyStore: {
    path: '/etc/zk/key.p12',
    password: 'secret',
    role: 'the ZooKeeper client keystore',
    locationKey: 'hadoop.zk.ssl.keystore.location',
    passwordKey: 'hadoop.zk.ssl.keystore.password',
  },
  trustStore: {
    path: '/etc/zk/trust.p12',
    password: 'secret',
    role: 'the ZooKeeper truststore',
    locationKey: 'hadoop.zk.ssl.truststore.location',
    passwordKey: 'hadoop.zk.ssl.truststore.password',
  },
  hostnameVerification: true,
  hostnameVerificationKey: 'zkfc.zookeeper.ssl.hostname-verification',
};

function tlsError(code: string, message: string, reason?: string): Error {
  return Object.assign(new Error(message), { code, ...(reason !== undefined ? { reason } : {}) });
}

describe('TLS failures, as the operator reads them', () => {
  it.each([
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'its certificate is not trusted by /etc/zk/trust.p12 (hadoop.zk.ssl.truststore.location)',
    ],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'its certificate is not trusted by /etc/zk/trust.p12'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'its certificate is not trusted by'],
    ['CERT_HAS_EXPIRED', 'its certificate is not valid now'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'its certificate does not name the host it was reached by'],
  ])('%s', (code, expected) => {
    const problem = describeTlsFailure(tlsError(code, 'node text'), 'zk1:2281', CONFIG, false);
    expect(problem?.detail).toContain(`TLS to ZooKeeper server zk1:2281: ${expected}`);
  });

  it('a name mismatch points at the switch that turns hostname verification off', () => {
    const problem = describeTlsFailure(tlsError('ERR_TLS_CERT_ALTNAME_INVALID', 'x'), 'zk1:2281', CONFIG, false);
    expect(problem?.clear).toContain('zkfc.zookeeper.ssl.hostname-verification=false');
  });

  it("the server refusing our certificate (after our TLS 1.3 handshake): the keystore, OpenSSL's reason", () => {
    const error = tlsError(
      'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
      '80:error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:rec_layer_s3.c:1601:' +
        'SSL alert number 46',
      'sslv3 alert certificate unknown',
    );
    const problem = describeTlsFailure(error, 'zk1:2281', CONFIG, true);
    expect(problem?.detail).toBe(
      'TLS to ZooKeeper server zk1:2281: the server refused our client certificate from /etc/zk/key.p12 ' +
        '(hadoop.zk.ssl.keystore.location): sslv3 alert certificate unknown',
    );
    expect(problem?.clear).toContain('ssl.trustStore');
  });

  it('a handshake broken by the server (a plaintext port) asks for the secureClientPort', () => {
    const problem = describeTlsFailure(tlsError('ECONNRESET', 'socket disconnected'), 'zk1:2181', CONFIG, false);
    expect(problem?.detail).toContain("is this ZooKeeper's secureClientPort?");
  });

  it('network failures are no TLS matter: refused, unreachable, a reset after the handshake', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND'])
      expect(describeTlsFailure(tlsError(code, code), 'zk1:2281', CONFIG, false)).toBeUndefined();
    expect(describeTlsFailure(tlsError('ECONNRESET', 'reset'), 'zk1:2281', CONFIG, true)).toBeUndefined();
  });

  it('never carries a password', () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ECONNRESET', 'SOMETHING'])
      expect(JSON.stringify(describeTlsFailure(tlsError(code, 'm'), 'zk1:2281', CONFIG, false))).not.toContain(
        'secret',
      );
  });
});
