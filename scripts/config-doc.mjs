#!/usr/bin/env node
// Prints the configuration reference (markdown) from the settings table in src/config/schema.ts,
// so the README's table is generated, not hand-kept: `node scripts/config-doc.mjs` after a build.
import { SETTINGS } from '../dist/config/schema.js';

const rows = SETTINGS.map((s) => {
  const def = s.default === '' ? '(required)' : s.default === null ? '(unset)' : s.default === ' ' ? '" " (nobody)' : String(s.default);
  const scope = s.suffix === 'nn' ? 'ns, nn' : s.suffix === 'ns' ? 'ns' : '';
  return `| \`${s.key}\` | ${def} | ${scope} | \`${s.env}\` | ${s.doc}${s.hadoop ? '' : ' *(zkfc only)*'} |`;
});
process.stdout.write(['| key | default | suffixes | environment | meaning |', '|---|---|---|---|---|', ...rows].join('\n') + '\n');
