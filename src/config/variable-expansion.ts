// Hadoop's `${var}` expansion of configuration values (Configuration#substituteVars): a variable
// is a Java system property, another key, or `${env.NAME}` with `:-` / `-` defaults. Pure: the
// caller supplies where names are looked up, and turns "too many rounds" into its own error.

/** Parity: Configuration.MAX_SUBST. */
export const MAX_SUBSTITUTIONS = 20;

export interface VariableSources {
  /** For `${env.NAME}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Consulted before keys, as Configuration#getProperty does (`${user.name}`). */
  readonly systemProperties: Readonly<Record<string, string>>;
  /** The raw value of another key. */
  readonly property: (name: string) => string | undefined;
}

/**
 * Parity: Configuration#substituteVars. At most MAX_SUBSTITUTIONS rounds; an unbound variable
 * stops expansion and leaves the text as it is at that point; a value that refers to itself
 * returns the original expression. Undefined when the rounds run out (Hadoop throws
 * IllegalStateException "Variable substitution depth too large").
 */
export function expandVariables(expression: string, sources: VariableSources): string | undefined {
  let current = expression;
  for (let round = 0; round < MAX_SUBSTITUTIONS; round++) {
    const bounds = findVariable(current);
    if (bounds === undefined) return current;
    const name = current.slice(bounds.start, bounds.end);
    const value = lookupVariable(name, sources);
    if (value === undefined) return current;
    const reference = current.slice(bounds.start - 2, bounds.end + 1);
    if (value.includes(reference)) return expression;
    current = current.slice(0, bounds.start - 2) + value + current.slice(bounds.end + 1);
  }
  return undefined;
}

function lookupVariable(name: string, sources: VariableSources): string | undefined {
  if (name.startsWith('env.') && name.length > 4) {
    const spec = name.slice(4);
    // ${env.NAME:-default}: default when unset or empty; ${env.NAME-default}: only when unset.
    for (let i = 0; i < spec.length; i++) {
      const c = spec[i];
      if (c === ':' && i < spec.length - 1 && spec[i + 1] === '-') {
        const value = sources.env[spec.slice(0, i)];
        return value === undefined || value === '' ? spec.slice(i + 2) : value;
      }
      if (c === '-') {
        const value = sources.env[spec.slice(0, i)];
        return value === undefined ? spec.slice(i + 1) : value;
      }
    }
    const value = sources.env[spec];
    if (value !== undefined) return value;
    return sources.property(name);
  }
  return sources.systemProperties[name] ?? sources.property(name);
}

/**
 * Parity: Configuration.findSubVariable: the first `${name}` whose name is non-empty and
 * holds no space or `$`. Returns the bounds of the name (between the braces).
 */
function findVariable(text: string): { start: number; end: number } | undefined {
  let from = 1;
  for (let brace = text.indexOf('{', from); brace > 0 && brace + 2 < text.length; brace = text.indexOf('{', from)) {
    if (text[brace - 1] !== '$') {
      from = brace + 1;
      continue;
    }
    const start = brace + 1;
    let length = 0;
    let reset = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '}' && length > 0) return { start, end: start + length };
      if (c === '}' || c === ' ' || c === '$') {
        from = i + 1;
        reset = true;
        break;
      }
      length++;
    }
    if (!reset) return undefined;
  }
  return undefined;
}
