// TLS to ZooKeeper's secureClientPort, as Hadoop 3.4's ZKFC sets up its Java client
// (SecurityUtil#setSslConfiguration: zookeeper.client.secure=true, the Netty socket, and the
// keystore and truststore of hadoop.zk.ssl.*): the client presents the keystore's certificate (the
// server's ssl.clientAuth needs one by default) and trusts only the truststore's certificates. The
// server's certificate must name the host or address it was reached by unless hostname
// verification is off (the Java client's zookeeper.ssl.hostnameVerification, default true).
//
// The stores are read at every session's start (never cached), so a rotated certificate or a
// fixed file is picked up by the next connection attempt without a restart. A handshake failure
// is turned into a sentence naming the server, the file and the setting to look at.
//
// Loaded only when TLS is configured (tls-loader.ts): node:tls and node:crypto cost a daemon that
// does not use them about 1.3 MiB resident (README "A lean daemon"), so nothing imports this
// module's values statically outside tests.

import type { Socket } from 'node:net';
import { connect, createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import { errorMessage } from '../errors.js';
import { readKeyStore, readTrustStore, type StoreRef } from '../security/key-store.js';

/** Where the stores are and how to check the server (built from the settings by src/daemon/zk-tls.ts). */
export interface ZkTlsConfig {
  readonly keyStore: StoreRef;
  readonly trustStore: StoreRef;
  readonly hostnameVerification: boolean;
  /** The setting that turns hostname verification off, for messages. */
  readonly hostnameVerificationKey: string;
}

/** The stores, read and checked: what every connection of one session uses. */
export interface ZkTlsMaterial {
  readonly secureContext: SecureContext;
  /** Subject of our client certificate and how many certificates we trust, for the log. */
  readonly clientSubject: string;
  readonly trustedCount: number;
}

/** Read both stores. Throws KeyStoreError (naming the file and the setting) or Error for a key node:tls refuses. */
export function loadZkTlsMaterial(config: ZkTlsConfig): ZkTlsMaterial {
  const key = readKeyStore(config.keyStore);
  const trust = readTrustStore(config.trustStore);
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({
      key: key.privateKeyPem,
      cert: key.certificateChainPem.join(''),
      ca: [...trust.certificatesPem],
    });
  } catch (cause) {
    throw new Error(
      `${config.keyStore.role} ${config.keyStore.path} (${config.keyStore.locationKey}): ` +
        `node:tls refuses its key or certificate: ${errorMessage(cause)}`,
      { cause },
    );
  }
  return { secureContext, clientSubject: key.subject, trustedCount: trust.certificatesPem.length };
}

/** Options of tls.connect to one server of the quorum. */
export function tlsConnectOptions(
  material: ZkTlsMaterial,
  config: ZkTlsConfig,
  server: { readonly host: string; readonly port: number },
): ConnectionOptions {
  return {
    host: server.host,
    port: server.port,
    secureContext: material.secureContext,
    rejectUnauthorized: true,
    // Node checks the name or IP address (subjectAltName) by default; only this switch turns it off.
    ...(config.hostnameVerification ? {} : { checkServerIdentity: () => undefined }),
  };
}

/** What the session adapter calls for TLS: the stores, the sockets, the failures (ZkTlsConnector). */
export class ZkTlsConnector {
  constructor(readonly config: ZkTlsConfig) {}

  /** Read both stores now (every session does, at its start). Throws with the file and setting named. */
  loadMaterial(): ZkTlsMaterial {
    return loadZkTlsMaterial(this.config);
  }

  /** A TLS socket to one server of the quorum; the ConnectRequest goes after 'secureConnect'. */
  connect(material: ZkTlsMaterial, server: { readonly host: string; readonly port: number }): Socket {
    return connect(tlsConnectOptions(material, this.config, server));
  }

  /** describeTlsFailure with this configuration. */
  describeFailure(error: unknown, server: string, secured: boolean): ZkTlsProblem | undefined {
    return describeTlsFailure(error, server, this.config, secured);
  }
}

/** A TLS failure as an operator reads it: what happened and what to change. */
export interface ZkTlsProblem {
  readonly detail: string;
  readonly clear: string;
}

/** Verification failures of the server's chain (OpenSSL's X509_V_ERR names as Node reports them). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What a socket error of a TLS connection means; undefined for a network failure that is no TLS
 * matter (refused, unreachable, a reset after the handshake). `secured`: the handshake had
 * completed on our side (with TLS 1.3 the server judges our certificate after that, and says so
 * with an alert).
 */
export function describeTlsFailure(
  error: unknown,
  server: string,
  config: ZkTlsConfig,
  secured: boolean,
): ZkTlsProblem | undefined {
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' ? code : '';
  const handshakeBroke = !secured && /^(ECONNRESET|EPIPE)$/.test(text);
  if (/^E[A-Z]+$/.test(text) && !handshakeBroke) return undefined;
  // OpenSSL's own text ("80...:error:0A000416:SSL routines:...:sslv3 alert certificate unknown:...")
  // is shortened to its reason.
  const reason = (error as { reason?: unknown }).reason;
  const message = typeof reason === 'string' && reason !== '' ? reason : errorMessage(error);
  const trust = `${config.trustStore.path} (${config.trustStore.locationKey})`;
  const keyStore = `${config.keyStore.path} (${config.keyStore.locationKey})`;
  if (UNTRUSTED.has(text))
    return {
      detail: `TLS to ZooKeeper server ${server}: its certificate is not trusted by ${trust}: ${message}`,
      clear:
        `put the CA that signed the ZooKeeper servers' certificates in ${config.trustStore.path} ` +
        `(keytool -importcert), or give ${server} a certificate that CA signed; the next attempt reads the file again`,
    };
  if (EXPIRED.has(text))
    return {
      detail: `TLS to ZooKeeper server ${server}: its certificate is not valid now: ${message}`,
      clear: `renew the certificate of ${server} (and check this host's clock)`,
    };
  if (text === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      detail: `TLS to ZooKeeper server ${server}: its certificate does not name the host it was reached by: ${message}`,
      clear:
        `give ${server} a certificate whose subjectAltName has the host or address of ha.zookeeper.quorum, ` +
        `or set ${config.hostnameVerificationKey}=false`,
    };
  if (
    /^ERR_SSL_.*ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|ACCESS_DENIED)$/.test(text)
  )
    return {
      detail:
        `TLS to ZooKeeper server ${server}: the server refused our client certificate ` +
        `from ${keyStore}: ${message}`,
      clear:
        `make the ZooKeeper servers trust the certificate in ${config.keyStore.path} (their ssl.trustStore), ` +
        `or use a keystore whose certificate they trust`,
    };
  if (handshakeBroke || /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)$/.test(text))
    return {
      detail:
        `TLS to ZooKeeper server ${server}: the connection broke during the TLS handshake ` +
        `(is this ZooKeeper's secureClientPort?): ${message}`,
      clear: `name the servers' secureClientPort in ha.zookeeper.quorum, or turn TLS off (hadoop.zk.ssl.enabled=false)`,
    };
  return {
    detail: `TLS to ZooKeeper server ${server} failed: ${message}`,
    clear: `check ${server}'s TLS setup (secureClientPort, ssl.* in zoo.cfg) against ${keyStore} and ${trust}`,
  };
}
