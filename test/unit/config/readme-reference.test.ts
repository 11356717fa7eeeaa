// Goal: the README's configuration reference cannot drift from the settings table: README.md holds
// exactly the table rendered from src/config/schema.ts (every key, default, environment variable and
// doc), and it states the environment naming rule the table follows.
// Method: read README.md and compare its table block with settingsReference().
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsReference } from '../../../src/config/settings-doc.js';

const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');

describe('README configuration reference', () => {
  it('is the table generated from the settings table (node scripts/config-doc.mjs)', () => {
    const lines = readme.split('\n');
    const start = lines.indexOf('| key | default | suffixes | environment | meaning |');
    expect(start).toBeGreaterThan(0);
    let end = start;
    while (lines[end]?.startsWith('|') === true) end++;
    expect(lines.slice(start, end).join('\n') + '\n').toBe(settingsReference());
  });

  it('documents the environment naming rule, with the prefix of our own keys not doubled', () => {
    expect(readme).toContain('`ZKFC_LOG_LEVEL`');
    expect(readme).not.toContain('ZKFC_ZKFC_');
  });
});
