// Goal: the README's configuration reference cannot drift from the settings table: every setting
// (key, environment variable) appears in it. Method: read README.md and src/config/schema.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config/schema.js';

const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');

describe('README configuration reference', () => {
  it.each(SETTINGS.map((s) => [s.key, s.env] as const))('documents %s (%s)', (key, env) => {
    expect(readme).toContain(`\`${key}\``);
    expect(readme).toContain(`\`${env}\``);
  });
});
