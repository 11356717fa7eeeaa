// Goal: the import rules of .dependency-cruiser.cjs hold for src/ (the core imports only itself,
// the runtime the core and its ports, adapters no other adapter except as declared, nothing imports
// tools/ or test/, no cycles), so `npm test` fails on a wrong-direction import; and no code
// outside src/ipc and src/hadoop names a Java exception class (the ports report kinds, and the
// Hadoop adapters turn them into Hadoop's text).
// Method: runs dependency-cruiser as `npm run lint:deps` does, with JSON output, and lists every
// violation (rule, from, to) in the failure; parses every file of src/ with the TypeScript compiler
// and lists the string and template literals (comments do not count) that name an exception class.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
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

/** A Java exception class, bare or qualified: IllegalStateException, org.apache.hadoop.ipc.StandbyException. */
const JAVA_EXCEPTION_CLASS = /\b(?:[a-z]\w*\.)*[A-Z]\w+Exception\b/;

/** The modules that speak Hadoop's wire protocols and may name its exception classes. */
const MAY_NAME_JAVA_EXCEPTIONS = /^src\/(ipc|hadoop|gen)\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every literal text of a file that names a Java exception class, as "file:line: name". */
function javaExceptionNames(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      const match = JAVA_EXCEPTION_CLASS.exec(node.text);
      if (match !== null) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${file}:${line + 1}: ${match[0]}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('Java exception classes stay in the Hadoop adapters', () => {
  it('no code outside src/ipc and src/hadoop names one', () => {
    const files = sourceFiles(join(root, 'src'))
      .map((f) => relative(root, f))
      .filter((f) => !MAY_NAME_JAVA_EXCEPTIONS.test(f));
    // A walk that found nothing would pass vacuously.
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => javaExceptionNames(f, readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });

  it('the check finds names in literals and templates, not in comments', () => {
    const probe = [
      '// an IOException in a comment',
      "const remote = 'org.apache.hadoop.ipc.StandbyException';",
      'const line = `${remote}: IllegalStateException ${remote} done`;',
    ].join('\n');
    expect(javaExceptionNames('probe.ts', probe)).toEqual([
      'probe.ts:2: org.apache.hadoop.ipc.StandbyException',
      'probe.ts:3: IllegalStateException',
    ]);
  });
});
