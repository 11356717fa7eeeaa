// Which secrets a shell(...) fencing command can see, so they can be cut out of its output before
// it is logged. A shell() command receives the daemon's whole environment and the whole Hadoop
// configuration (ShellCommandFencer exports every key with '.' turned into '_'), secrets
// included: a script that prints its environment would otherwise put the ZooKeeper credentials
// and keystore passwords into the log.
//
// A value is secret when its key (in the configuration, or a variable of the base environment)
// matches one of:
//   - our own sensitive settings (OWN_SENSITIVE_KEYS: those marked sensitive in the settings
//     table, src/config/schema.ts; a unit test keeps the two lists equal);
//   - Hadoop's default hadoop.security.sensitive-config-keys (ConfigRedactor): keys ending in
//     secret, password, username or credential, ssl.keystore.pass, S3/Azure keys, oauth tokens;
//   - the patterns the configuration itself lists in hadoop.security.sensitive-config-keys.
// Patterns are Java-style regular expressions searched anywhere in the key ('.' matches '_' too,
// so ha_zookeeper_auth and ZKFC_HA_ZOOKEEPER_AUTH match as well; environment keys are compared in
// lower case). For ha.zookeeper.auth the parts of each credential are secrets too ("digest:u:pw"
// also hides "u:pw" and "pw"), and an "@/path" value hides the file's content.
// Not caught: a secret the script computes or reads from elsewhere, or one shorter than
// SECRET_MIN_CHARS (too short to hide without mangling the rest of the line).

import { resolveConfIndirection } from '../config/conf-indirection.js';

export const SENSITIVE_KEYS_KEY = 'hadoop.security.sensitive-config-keys';
export const REDACTED = '[redacted]';
/** Shorter values are not hidden (they would cut ordinary words out of every line). */
export const SECRET_MIN_CHARS = 3;

/** The settings of ours marked sensitive in the settings table. */
export const OWN_SENSITIVE_KEYS: readonly string[] = [
  'ha.zookeeper.auth',
  'hadoop.zk.ssl.keystore.password',
  'hadoop.zk.ssl.truststore.password',
];

/** Our words for Hadoop's default hadoop.security.sensitive-config-keys. */
const HADOOP_SENSITIVE_KEY_PATTERNS: readonly string[] = [
  'secret$',
  'password$',
  'username$',
  'ssl.keystore.pass$',
  'fs.s3.*[Ss]ecret.?[Kk]ey',
  'fs.s3a.*.server-side-encryption.key',
  'fs.s3a.encryption.algorithm',
  'fs.s3a.encryption.key',
  'fs.azure\\.account.key.*',
  'credential$',
  'oauth.*secret',
  'oauth.*password',
  'oauth.*token',
  SENSITIVE_KEYS_KEY,
];

/** Keys we pass on as auth strings of the form scheme:auth[,scheme:auth...]. */
const AUTH_KEY = /ha.zookeeper.auth/i;

function compile(patterns: readonly string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const pattern of patterns) {
    try {
      out.push(new RegExp(pattern));
    } catch {
      // A pattern JavaScript cannot read is ignored; the others still apply.
    }
  }
  return out;
}

/** The secret values visible to a fencing command with this configuration and base environment. */
export function knownSecrets(conf: ReadonlyMap<string, string>, baseEnv: NodeJS.ProcessEnv = {}): string[] {
  const configured = (conf.get(SENSITIVE_KEYS_KEY) ?? '')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  const patterns = compile([...OWN_SENSITIVE_KEYS, ...HADOOP_SENSITIVE_KEY_PATTERNS, ...configured]);
  const sensitive = (key: string): boolean => patterns.some((pattern) => pattern.test(key));
  const secrets = new Set<string>();
  const add = (key: string, value: string): void => {
    secrets.add(value);
    if (!AUTH_KEY.test(key)) return;
    let resolved = value;
    if (value.startsWith('@')) {
      try {
        resolved = resolveConfIndirection(value, key);
        secrets.add(resolved);
      } catch {
        return;
      }
    }
    for (const entry of resolved.split(',')) {
      const credential = entry.trim();
      secrets.add(credential);
      const auth = credential.slice(credential.indexOf(':') + 1);
      secrets.add(auth);
      secrets.add(auth.slice(auth.indexOf(':') + 1));
    }
  };
  for (const [key, value] of conf) if (sensitive(key)) add(key, value);
  for (const [key, value] of Object.entries(baseEnv))
    if (value !== undefined && sensitive(key.toLowerCase())) add(key, value);
  return [...secrets].filter((secret) => secret.length >= SECRET_MIN_CHARS);
}

/** Replaces every known secret in a line with [redacted], longest first. */
export class SecretRedactor {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets)]
      .filter((secret) => secret.length >= SECRET_MIN_CHARS)
      .sort((a, b) => b.length - a.length);
  }

  redact(line: string): string {
    let out = line;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
}
