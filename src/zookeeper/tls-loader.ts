// Loads the ZooKeeper TLS support (tls.ts: node:tls, node:crypto, the key store readers) when TLS
// is configured, and only then: a daemon on plain TCP never loads OpenSSL's bindings (README "A
// lean daemon"; the daemon bundle turns this import into a require() on first use).

import type { ZkTlsConfig, ZkTlsConnector } from './tls.js';

/** The connector for NodeZkSessionFactory's `tls` option. */
export async function loadZkTlsConnector(config: ZkTlsConfig): Promise<ZkTlsConnector> {
  const { ZkTlsConnector: Connector } = await import('./tls.js');
  return new Connector(config);
}
