// Goal: the import rules of .dependency-cruiser.cjs hold for src/ (the core imports only itself,
// the runtime the core and its ports, adapters no other adapter except as declared, nothing imports
// tools/ or test/, no cycles), so `npm test` fails on a wrong-direction import.
// Method: runs dependency-cruiser as `npm run lint:deps` does, with JSON output, and lists every
// violation (rule, from, to) in the failure.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
  readonly cycle?: readonly { readonly name: string }[];
}

interface CruiseResult {
  readonly summary: { readonly violations: readonly Violation[]; readonly totalCruised: number };
}

describe('import rules (npm run lint:deps)', () => {
  it('src/ has no import that breaks .dependency-cruiser.cjs', async () => {
    expect(existsSync(cli), `dependency-cruiser is missing: run npm install (it is a devDependency)`).toBe(true);
    let stdout: string;
    try {
      const args = [cli, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'];
      ({ stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      // Violations of severity error make the command exit non-zero; its stdout still has the report.
      stdout = (error as { stdout?: string }).stdout ?? '';
      if (stdout === '') throw error;
    }
    const result = JSON.parse(stdout) as CruiseResult;
    const violations = result.summary.violations.map((v) => {
      const to = v.cycle !== undefined && v.cycle.length > 0 ? v.cycle.map((step) => step.name).join(' → ') : v.to;
      return `${v.rule.name}: ${v.from} → ${to}`;
    });
    expect(violations).toEqual([]);
    // A cruise that saw nothing would pass vacuously.
    expect(result.summary.totalCruised).toBeGreaterThan(100);
  });
});
