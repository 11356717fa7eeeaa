// The README's configuration reference, rendered from the settings table (src/config/schema.ts):
// `node scripts/config-doc.mjs` prints it after a build, and test/unit/config/readme-reference.test.ts
// checks that README.md holds exactly this table, so the two cannot drift.

import { SETTINGS } from './schema.js';

export function settingsReference(): string {
  const rows = SETTINGS.map((s) => {
    const def =
      s.default === ''
        ? '(required)'
        : s.default === null
          ? '(unset)'
          : s.default === ' '
            ? '" " (nobody)'
            : String(s.default);
    const scope = s.suffix === 'nn' ? 'ns, nn' : s.suffix === 'ns' ? 'ns' : '';
    return `| \`${s.key}\` | ${def} | ${scope} | \`${s.env}\` | ${s.doc}${s.hadoop ? '' : ' *(zkfc only)*'} |`;
  });
  return ['| key | default | suffixes | environment | meaning |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
