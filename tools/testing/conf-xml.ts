// Hadoop configuration files for tests and harnesses, written once: the <configuration> XML of a
// set of properties (names and values escaped), and a conf directory's hdfs-site.xml.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A Hadoop configuration file with `properties`, in their order. */
export function configurationXml(properties: Readonly<Record<string, string>>): string {
  const body = Object.entries(properties)
    .map(
      ([name, value]) =>
        `  <property>\n    <name>${escapeXml(name)}</name>\n    <value>${escapeXml(value)}</value>\n  </property>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** A new temporary conf directory (prefix `prefix`) holding hdfs-site.xml with `properties`; returns it. */
export function tempHdfsSiteDir(prefix: string, properties: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'hdfs-site.xml'), configurationXml(properties));
  return dir;
}
