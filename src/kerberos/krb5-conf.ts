// The default realm of the Kerberos configuration, as KerberosUtil.getDefaultRealm reads it for
// KerberosName's DEFAULT rule: `default_realm` of [libdefaults] in the first readable file of
// KRB5_CONFIG (a colon-separated list, MIT's variable) or /etc/krb5.conf. Include directives are
// not followed; undefined when no file names one.

import { readFileSync } from 'node:fs';

export const DEFAULT_KRB5_CONFIG = '/etc/krb5.conf';

/** `default_realm` of [libdefaults] in a krb5.conf text. */
export function parseDefaultRealm(text: string): string | undefined {
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim();
      continue;
    }
    if (section !== 'libdefaults') continue;
    const entry = /^default_realm\s*=\s*(\S+)/.exec(line);
    if (entry !== null) return entry[1];
  }
  return undefined;
}

export function defaultRealm(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const files = (env['KRB5_CONFIG'] ?? DEFAULT_KRB5_CONFIG).split(':').filter((f) => f !== '');
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const realm = parseDefaultRealm(text);
    if (realm !== undefined) return realm;
  }
  return undefined;
}
