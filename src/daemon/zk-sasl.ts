// ZooKeeper SASL from the settings, for the daemon (start-up, -formatZK, check-config) and haadmin's
// ZooKeeper commands, so both authenticate alike. A Java ZKFC is told by its hadoop-env.sh, in
// HADOOP_ZKFC_OPTS, where the JAAS file is (-Djava.security.auth.login.config=) and, optionally,
// whom to expect (-Dzookeeper.server.principal=, -Dzookeeper.sasl.client.username=,
// -Dzookeeper.sasl.client.canonicalize.hostname=, -Dzookeeper.sasl.clientconfig=); we read the same
// variable, so an operator's environment works unchanged. zkfc.zookeeper.jaas.file and
// zkfc.zookeeper.jaas.section, when set, win. No JAAS file: no SASL (ZooKeeper's own default
// when java.security.auth.login.config is unset). ZooKeeper's zookeeper.sasl.client=false turns
// SASL off even with a JAAS file, as in Java.

import { readFileSync } from 'node:fs';
import type { ZkfcSettings } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/ports.js';
import { JaasConfigError, parseJaas, zkSaslLogin } from '../zookeeper/jaas.js';
import type { ZkSaslAuthenticator, ZkSaslConfig } from '../zookeeper/sasl.js';

export const ZK_JAAS_FILE_KEY = 'zkfc.zookeeper.jaas.file';
export const ZK_JAAS_SECTION_KEY = 'zkfc.zookeeper.jaas.section';
export const HADOOP_ZKFC_OPTS = 'HADOOP_ZKFC_OPTS';

/** The -Dname=value system properties of a JVM options string (quotes as a shell would strip them). */
export function javaSystemProperties(options: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (options === undefined) return out;
  const words = options.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  for (const raw of words) {
    const word = raw.replace(
      /"([^"]*)"|'([^']*)'/g,
      (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '',
    );
    if (!word.startsWith('-D')) continue;
    const eq = word.indexOf('=');
    if (eq === -1) out.set(word.slice(2), '');
    else out.set(word.slice(2, eq), word.slice(eq + 1));
  }
  return out;
}

/**
 * The SASL configuration, or undefined when SASL is off. Reads and parses the JAAS file now: a
 * missing or malformed file, or a missing section, is a ConfigError (exit 78) naming the file and line.
 */
export function zkSaslConfig(
  settings: ZkfcSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ZkSaslConfig | undefined {
  const props = javaSystemProperties(env[HADOOP_ZKFC_OPTS]);
  const configured = settings.zk.jaasFile?.trim() ?? '';
  const fromOpts = props.get('java.security.auth.login.config')?.trim() ?? '';
  const jaasFile = configured !== '' ? configured : fromOpts;
  if (jaasFile === '') return undefined;
  if (props.get('zookeeper.sasl.client')?.toLowerCase() === 'false') return undefined;
  const key = configured !== '' ? ZK_JAAS_FILE_KEY : HADOOP_ZKFC_OPTS;
  const sectionSetting = settings.zk.jaasSection.trim();
  const section =
    sectionSetting !== 'Client' || !props.has('zookeeper.sasl.clientconfig')
      ? sectionSetting
      : props.get('zookeeper.sasl.clientconfig')!;
  let text: string;
  try {
    text = readFileSync(jaasFile, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `${key}: cannot read the JAAS file ${jaasFile} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      key,
      jaasFile,
      { cause },
    );
  }
  const login = zkSaslLogin(parseJaas(text, jaasFile), section, jaasFile, key);
  return {
    jaasFile,
    section,
    login,
    serverPrincipal: props.get('zookeeper.server.principal'),
    serviceName: props.get('zookeeper.sasl.client.username') ?? 'zookeeper',
    canonicalizeHostName: props.get('zookeeper.sasl.client.canonicalize.hostname')?.toLowerCase() !== 'false',
  };
}

export { JaasConfigError };

/** Load the SASL support (node:crypto, the GSSAPI binding) and log in from a keytab when the section says so. */
export async function loadZkSaslAuthenticator(
  config: ZkSaslConfig,
  deps: { readonly clock: Pick<Clock, 'schedule'>; readonly logger?: Logger },
): Promise<ZkSaslAuthenticator> {
  const { ZkSaslAuthenticator: Authenticator } = await import('../zookeeper/sasl.js');
  return Authenticator.create(config, deps);
}
