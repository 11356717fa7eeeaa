// Reading systemd/zkfc@.service the way systemd reads it, for the tests that check the unit and
// run its ExecStart line (test/integration/packaging): directives by section, specifier and `$$`
// expansion, and ExecStart's word splitting. Only what the unit uses: %i and %%, quotes, no
// environment variables in the command line (an unexpanded one makes the helper throw).

/** The unit's directives by section; repeated keys keep every value in order. */
export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq < 0) throw new Error(`unparsable unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

export function directive(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** What systemd does to an ExecStart line before splitting it: specifiers (%i, %%), then $$ → $. */
export function expandLikeSystemd(line: string, instance: string): string {
  const specifiers = line.replace(/%(.)/g, (_m, c: string) => {
    if (c === '%') return '%';
    if (c === 'i') return instance;
    throw new Error(`specifier %${c} not handled by this helper`);
  });
  if (/\$(?!\$)\{?[A-Za-z_]/.test(specifiers.replace(/\$\$/g, '')))
    throw new Error('ExecStart uses an environment variable this helper does not expand');
  return specifiers.replace(/\$\$/g, '$');
}

/** Split like systemd's ExecStart: whitespace-separated words, single or double quotes group. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) words.push(match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? match[3]!);
  return words;
}

/** Environment= assignments (NAME=value, optionally quoted as a whole) as a record. */
export function unitEnvironment(unit: UnitFile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of directive(unit, 'Service', 'Environment')) {
    for (const word of splitWords(value)) {
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}
