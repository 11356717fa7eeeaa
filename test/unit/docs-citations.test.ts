// Goal: comments and docs cite only what is in the repository: Hadoop's classes and methods, or
// our own docs/hadoop-compat.md by a section that exists. References to research notes outside
// the repository (they are not shipped and readers cannot follow them) fail the test.
// Method: scan every tracked text file under src, tools, test, scripts, systemd, config and docs,
// and README.md.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SELF = 'test/unit/docs-citations.test.ts';
const FOREIGN = [
  /\b[Ss]pec (?:sections? )?§?\d/,
  /\b[Ss]pec §/,
  /hadoop-zkfc-spec/,
  /test-infrastructure\.md/,
  /real-hadoop-recipe/,
  /hadoop-parity-research/,
  /review-architecture/,
  /shared\/reference/,
  /\.\.\/shared\//,
];

function trackedFiles(): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', 'src', 'tools', 'test', 'scripts', 'systemd', 'config', 'docs', 'README.md'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return out.split('\n').filter((f) => f !== '' && f !== SELF && /\.(ts|js|mjs|cjs|sh|ya?ml|service|md)$/.test(f));
}

function sectionsOf(markdown: string): Set<string> {
  const sections = new Set<string>();
  for (const match of markdown.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)) sections.add(match[1] ?? '');
  return sections;
}

describe('citations', () => {
  const files = trackedFiles();
  const compat = readFileSync(join(ROOT, 'docs/hadoop-compat.md'), 'utf8');
  const sections = sectionsOf(compat);

  it('finds the files and the sections it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(sections.has('1.11')).toBe(true);
    expect(sections.has('12')).toBe(true);
  });

  it('no file cites a document that is not in the repository', () => {
    const offenders: string[] = [];
    for (const file of files) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FOREIGN.some((re) => re.test(line))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('every docs/hadoop-compat.md section cited exists', () => {
    const missing: string[] = [];
    for (const file of [...files, 'docs/hadoop-compat.md']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // A citation is "docs/hadoop-compat.md §A, §B–§C"; within the doc itself, bare "§A".
      const cites = file === 'docs/hadoop-compat.md' ? text.matchAll(/§(\d+(?:\.\d+)?)/g) : citesIn(text);
      for (const m of cites) if (!sections.has(m[1] ?? '')) missing.push(`${file}: §${m[1] ?? ''}`);
    }
    expect(missing).toEqual([]);
  });

  it('every § outside docs/ belongs to a docs/hadoop-compat.md citation', () => {
    // A bare "(§5.3)" in a comment names no document; the reader cannot tell what it cites.
    const bare: string[] = [];
    for (const file of files.filter((f) => !f.startsWith('docs/'))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const all = [...text.matchAll(/§\d/g)].length;
      const cited = [...citesIn(text)].length;
      if (all !== cited) bare.push(`${file}: ${all - cited} of ${all} § not after docs/hadoop-compat.md`);
    }
    expect(bare).toEqual([]);
  });
});

function* citesIn(text: string): Generator<RegExpMatchArray> {
  for (const cite of text.matchAll(/docs\/hadoop-compat\.md((?:[ ,\s–-]*(?:\/\/)?\s*§\d+(?:\.\d+)?)+)/g)) {
    yield* (cite[1] ?? '').matchAll(/§(\d+(?:\.\d+)?)/g);
  }
}
