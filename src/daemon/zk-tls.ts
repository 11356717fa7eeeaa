// ZooKeeper TLS from the settings, as Hadoop 3.4 decides it: DFSZKFailoverController#isSSLEnabled is
// conf.getBoolean("hadoop.zk.ssl.enabled", conf.getBoolean("dfs.ha.zkfc.client.ssl.enabled", false)),
// and SecurityUtil#validateSslConfiguration refuses an empty keystore or truststore location (the
// messages below are its own). The daemon (start-up, -formatZK, check-config) and haadmin's
// ZooKeeper commands (pause, resume) build the adapter's ZkTlsConfig here, so both connect alike.
//
// Not Hadoop's: an empty password is not refused here. A PEM truststore needs none, and a PKCS#12
// store with a missing password fails when it is read, with an error naming the password setting.

import type { ZkfcSettings } from '../config/schema.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { ZkTlsConfig } from '../zookeeper/tls.js';
import { loadZkTlsConnector } from '../zookeeper/tls-loader.js';

export const ZK_SSL_ENABLED_KEY = 'hadoop.zk.ssl.enabled';
export const ZKFC_CLIENT_SSL_ENABLED_KEY = 'dfs.ha.zkfc.client.ssl.enabled';
export const ZK_SSL_KEYSTORE_LOCATION_KEY = 'hadoop.zk.ssl.keystore.location';
export const ZK_SSL_KEYSTORE_PASSWORD_KEY = 'hadoop.zk.ssl.keystore.password';
export const ZK_SSL_TRUSTSTORE_LOCATION_KEY = 'hadoop.zk.ssl.truststore.location';
export const ZK_SSL_TRUSTSTORE_PASSWORD_KEY = 'hadoop.zk.ssl.truststore.password';
export const ZK_SSL_HOSTNAME_VERIFICATION_KEY = 'zkfc.zookeeper.ssl.hostname-verification';

/** Whether the ZooKeeper client uses TLS (DFSZKFailoverController#isSSLEnabled). */
export function zkTlsEnabled(settings: ZkfcSettings): boolean {
  return settings.zkSsl.enabled ?? settings.zkSsl.zkfcClientEnabled;
}

/**
 * The adapter's TLS configuration, or undefined when TLS is off. Throws ConfigError (exit 78)
 * naming the key when TLS is on and a store location is missing.
 */
export function zkTlsConfig(settings: ZkfcSettings): ZkTlsConfig | undefined {
  if (!zkTlsEnabled(settings)) return undefined;
  const { zkSsl } = settings;
  const why = `(ZooKeeper TLS is on: ${zkSsl.enabled !== null ? ZK_SSL_ENABLED_KEY : ZKFC_CLIENT_SSL_ENABLED_KEY})`;
  const keystore = zkSsl.keystoreLocation?.trim() ?? '';
  if (keystore === '')
    throw new ConfigError(
      `${ZK_SSL_KEYSTORE_LOCATION_KEY}: The keystore location parameter is empty for the ZooKeeper ` +
        `client connection ${why}`,
      ZK_SSL_KEYSTORE_LOCATION_KEY,
    );
  const truststore = zkSsl.truststoreLocation?.trim() ?? '';
  if (truststore === '')
    throw new ConfigError(
      `${ZK_SSL_TRUSTSTORE_LOCATION_KEY}: The truststore location parameter is empty for the ZooKeeper ` +
        `client connection ${why}`,
      ZK_SSL_TRUSTSTORE_LOCATION_KEY,
    );
  return {
    keyStore: {
      path: keystore,
      password: zkSsl.keystorePassword ?? '',
      role: 'the ZooKeeper client keystore',
      locationKey: ZK_SSL_KEYSTORE_LOCATION_KEY,
      passwordKey: ZK_SSL_KEYSTORE_PASSWORD_KEY,
    },
    trustStore: {
      path: truststore,
      password: zkSsl.truststorePassword ?? '',
      role: 'the ZooKeeper truststore',
      locationKey: ZK_SSL_TRUSTSTORE_LOCATION_KEY,
      passwordKey: ZK_SSL_TRUSTSTORE_PASSWORD_KEY,
    },
    hostnameVerification: zkSsl.hostnameVerification,
    hostnameVerificationKey: ZK_SSL_HOSTNAME_VERIFICATION_KEY,
  };
}

/**
 * `zkfc check-config`: read both stores now, as the first connection will; the problem, or
 * undefined. (Start-up does not stop on it: the daemon stays out of the election and reads the
 * files again at every attempt, so fixing them is enough.)
 */
export async function zkTlsStoreProblem(config: ZkTlsConfig): Promise<string | undefined> {
  const connector = await loadZkTlsConnector(config);
  try {
    connector.loadMaterial();
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
