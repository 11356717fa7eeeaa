// Hadoop's principal-to-short-name mapping (hadoop.security.auth_to_local), as KerberosName does it:
// a list of rules tried in order, the first that yields a name wins. `DEFAULT`: the first component
// of a principal of the default realm. `RULE:[n:format](match)s/from/to/g/L`: for principals of n
// components, `format` with $0 = realm, $1.. = components, kept if it fully matches `match`, then
// sed-like substitution (`g` for every occurrence) and `/L` to lower-case. With the mechanism
// `hadoop` (hadoop.security.auth_to_local.mechanism, the default) a result with '/' or '@' and a
// principal no rule applies to are errors; with `mit` the principal is kept as it is.
// Regular expressions are JavaScript's, which agree with java.util.regex on the usual syntax.

export const AUTH_TO_LOCAL_KEY = 'hadoop.security.auth_to_local';
export const AUTH_TO_LOCAL_MECHANISM_KEY = 'hadoop.security.auth_to_local.mechanism';
/** KerberosName.DEFAULT_RULES. */
export const DEFAULT_RULES = 'DEFAULT';
export type RuleMechanism = 'hadoop' | 'mit';

/** KerberosName's checked failures, named as Java names them in "Illegal principal name" texts. */
export class KerberosNameError extends Error {
  constructor(
    readonly javaClass: 'NoMatchingRule' | 'BadFormatString',
    message: string,
  ) {
    super(message);
    this.name = 'KerberosNameError';
  }

  /** Throwable.toString of the Java exception: "org...KerberosName$NoMatchingRule: message". */
  javaText(): string {
    return `org.apache.hadoop.security.authentication.util.KerberosName$${this.javaClass}: ${this.message}`;
  }
}

/** A rule string that does not parse (KerberosName.parseRules: "Invalid rule: ..."), or a bad mechanism. */
export class AuthToLocalSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthToLocalSyntaxError';
  }
}

/** KerberosName.ruleParser, anchored as Matcher.lookingAt. */
const RULE_PARSER = /^\s*((DEFAULT)|(RULE:\[(\d*):([^\]]*)\](\(([^)]*)\))?(s\/([^/]*)\/([^/]*)\/(g)?)?))\/?(L)?/;
/** KerberosName.nameParser: at most two components and a realm. */
const NAME_PARSER = /^([^/@]+)(\/([^/@]+))?(@([^/@]+))?$/;
/** KerberosName.parameterPattern. */
const PARAMETER_PATTERN = /([^$]*)(\$(\d*))?/y;

interface RuleSpec {
  readonly isDefault: boolean;
  readonly numOfComponents: number;
  readonly format: string;
  readonly match: string | undefined;
  readonly from: string | undefined;
  readonly to: string;
  readonly repeat: boolean;
  readonly toLowerCase: boolean;
}

export class Rule {
  private readonly match: RegExp | undefined;
  private readonly from: RegExp | undefined;
  private readonly to: string;

  constructor(readonly spec: RuleSpec) {
    this.match = spec.match === undefined ? undefined : compile(`^(?:${spec.match})$`, '', spec.match);
    this.from = spec.from === undefined ? undefined : compile(spec.from, spec.repeat ? 'g' : '', spec.from);
    this.to = javaReplacement(spec.to);
  }

  /** Rule.toString. */
  toString(): string {
    const s = this.spec;
    if (s.isDefault) return 'DEFAULT';
    let text = `RULE:[${s.numOfComponents}:${s.format}]`;
    if (s.match !== undefined) text += `(${s.match})`;
    if (s.from !== undefined) text += `s/${s.from}/${s.to}/${s.repeat ? 'g' : ''}`;
    if (s.toLowerCase) text += '/L';
    return text;
  }

  /** Rule.apply: params = [realm, component1, component2?]; undefined when the rule does not apply. */
  apply(params: readonly string[], defaultRealm: string, mechanism: RuleMechanism): string | undefined {
    let result: string | undefined;
    if (this.spec.isDefault) {
      if (params[0] === defaultRealm) result = params[1];
    } else if (params.length - 1 === this.spec.numOfComponents) {
      const base = replaceParameters(this.spec.format, params);
      if (this.match === undefined || this.match.test(base)) {
        // String.replace with a RegExp without `g` replaces the first match only (Matcher.replaceFirst).
        result = this.from === undefined ? base : base.replace(this.from, this.to);
      }
    }
    if (result !== undefined && /[/@]/.test(result) && mechanism === 'hadoop')
      throw new KerberosNameError(
        'NoMatchingRule',
        `Non-simple name ${result} after auth_to_local rule ${this.toString()}`,
      );
    // Parity: only a RULE carries the /L flag; "DEFAULT/L" parses but does not lower-case.
    if (this.spec.toLowerCase && result !== undefined) result = result.toLowerCase();
    return result;
  }
}

function compile(source: string, flags: string, shown: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new AuthToLocalSyntaxError(`Invalid regular expression ${shown}: ${(error as Error).message}`);
  }
}

/**
 * A java.util.regex.Matcher replacement string as String.replace reads one: `\x` is a literal x,
 * `$n` a group; a literal `$` is doubled.
 */
function javaReplacement(to: string): string {
  let out = '';
  for (let i = 0; i < to.length; i++) {
    const c = to[i]!;
    if (c === '\\' && i + 1 < to.length) {
      const next = to[++i]!;
      out += next === '$' ? '$$' : next;
    } else {
      out += c;
    }
  }
  return out;
}

/** Rule.replaceParameters: `$n` → params[n]. */
function replaceParameters(format: string, params: readonly string[]): string {
  let result = '';
  let start = 0;
  while (start < format.length) {
    PARAMETER_PATTERN.lastIndex = start;
    const match = PARAMETER_PATTERN.exec(format);
    if (match === null) break;
    result += match[1];
    const paramNum = match[3];
    if (paramNum !== undefined) {
      if (paramNum === '')
        throw new KerberosNameError('BadFormatString', `bad format in username mapping in ${paramNum}`);
      const num = Number.parseInt(paramNum, 10);
      if (num < 0 || num >= params.length)
        throw new KerberosNameError(
          'BadFormatString',
          `index ${num} from ${format} is outside of the valid range 0 to ${params.length - 1}`,
        );
      result += params[num];
    }
    start = PARAMETER_PATTERN.lastIndex;
  }
  return result;
}

/** KerberosName.parseRules; throws AuthToLocalSyntaxError naming the rest of the text that does not parse. */
export function parseRules(rules: string): Rule[] {
  const result: Rule[] = [];
  let remaining = rules.trim();
  while (remaining.length > 0) {
    const m = RULE_PARSER.exec(remaining);
    if (m === null) throw new AuthToLocalSyntaxError(`Invalid rule: ${remaining.trim()}`);
    if (m[2] !== undefined) {
      result.push(
        new Rule({
          isDefault: true,
          numOfComponents: 0,
          format: '',
          match: undefined,
          from: undefined,
          to: '',
          repeat: false,
          toLowerCase: false,
        }),
      );
    } else {
      // Integer.parseInt("") fails in Hadoop too: "RULE:[:$1]" is refused.
      if (m[4] === '') throw new AuthToLocalSyntaxError(`Invalid rule: ${remaining}`);
      result.push(
        new Rule({
          isDefault: false,
          numOfComponents: Number.parseInt(m[4]!, 10),
          format: m[5]!,
          match: m[7],
          from: m[9],
          to: m[10] ?? '',
          repeat: m[11] === 'g',
          toLowerCase: m[12] === 'L',
        }),
      );
    }
    remaining = remaining.slice(m[0].length);
  }
  return result;
}

/** KerberosName.setRuleMechanism: hadoop or mit, any case. */
export function parseRuleMechanism(value: string): RuleMechanism {
  const lower = value.toLowerCase();
  if (lower === 'hadoop' || lower === 'mit') return lower;
  throw new AuthToLocalSyntaxError(`Invalid rule mechanism: ${value}`);
}

/** The configured rules with the default realm: principal → short name. */
export class AuthToLocal {
  private readonly rules: readonly Rule[];

  /** Throws AuthToLocalSyntaxError for rules or a mechanism that do not parse. */
  constructor(
    rules: string,
    readonly defaultRealm: string,
    readonly mechanism: RuleMechanism = 'hadoop',
  ) {
    this.rules = parseRules(rules);
  }

  /** KerberosName.getRules: one rule a line. */
  describe(): string {
    return this.rules.map(String).join('\n');
  }

  /**
   * KerberosName(name).getShortName(). Throws KerberosNameError (no rule applies, a non-simple
   * result, a bad $n) or Error("Malformed Kerberos name: ...").
   */
  shortName(principal: string): string {
    const m = NAME_PARSER.exec(principal);
    if (m === null) {
      if (principal.includes('@')) throw new Error(`Malformed Kerberos name: ${principal}`);
      return principal;
    }
    const [service, host, realm] = [m[1]!, m[3], m[5]];
    if (host === undefined && realm === undefined) return service;
    // Java concatenates a missing realm as "null".
    const params = host === undefined ? [realm ?? 'null', service] : [realm ?? 'null', service, host];
    for (const rule of this.rules) {
      const result = rule.apply(params, this.defaultRealm, this.mechanism);
      if (result !== undefined) return result;
    }
    if (this.mechanism === 'hadoop') throw new KerberosNameError('NoMatchingRule', `No rules applied to ${principal}`);
    return principal;
  }
}
