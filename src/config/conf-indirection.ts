// Hadoop's '@' indirection of a configuration value (ZKUtil#resolveConfIndirection): a value
// starting with '@' names a local file (path trimmed) whose UTF-8 content, trimmed, is the value.
// ha.zookeeper.acl and ha.zookeeper.auth take it; fencing's redaction reads it too, to hide a
// credential file's content from a fencing script's output. Shared by both (see
// .dependency-cruiser.cjs), so neither adapter reaches into the other.

import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../errors.js';

/**
 * ZKUtil.resolveConfIndirection: "@/path" -> the file's content (UTF-8, trimmed); any other value
 * unchanged. A missing or unreadable file is a ConfigError naming the key and the file.
 */
export function resolveConfIndirection(value: string, key: string): string {
  if (!value.startsWith('@')) return value;
  const file = value.slice(1).trim();
  if (file === '') throw new ConfigError(`${key}: '@' must be followed by a file path`, key);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError(`${key}: cannot read ${file}: ${errorMessage(cause)}`, key, file, { cause });
  }
}
