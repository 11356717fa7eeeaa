// A JAAS login configuration file (the `-Djava.security.auth.login.config=` file a Java ZKFC reads),
// parsed as Java's sun.security.provider.ConfigFile reads it, for the ZooKeeper client's SASL
// section (ZooKeeper's zookeeper.sasl.clientconfig, default "Client"):
//
//   Client {
//     com.sun.security.auth.module.Krb5LoginModule required
//       useKeyTab=true keyTab="/etc/security/keytabs/zkfc.keytab" principal="zkfc/nn1.example.com@EXAMPLE.COM";
//   };
//
// Grammar: `Name { (LoginModuleClass Flag (option=value)* ;)* };` with // and /* */ comments,
// values bare words or "double-quoted" (a backslash escapes the next character). Only the options
// our ZooKeeper client uses are interpreted (src/zookeeper/sasl.ts); the parser keeps all of them.
// Errors name the file and the line. Parsing is pure; reading the file is the caller's.

import { ConfigError } from '../errors.js';

export const KRB5_LOGIN_MODULE = 'com.sun.security.auth.module.Krb5LoginModule';
export const DIGEST_LOGIN_MODULE = 'org.apache.zookeeper.server.auth.DigestLoginModule';

export type JaasFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface JaasLoginModule {
  readonly className: string;
  readonly flag: JaasFlag;
  /** Option names as written (Java's options are case-sensitive), values unquoted. */
  readonly options: ReadonlyMap<string, string>;
  /** 1-based line of the class name. */
  readonly line: number;
}

export interface JaasSection {
  readonly name: string;
  readonly modules: readonly JaasLoginModule[];
  readonly line: number;
}

/** A JAAS file that is not well-formed, or lacks what is needed; names the file and the line. */
export class JaasConfigError extends ConfigError {
  constructor(
    readonly jaasFile: string,
    readonly line: number | undefined,
    detail: string,
    key?: string,
  ) {
    super(`JAAS configuration ${jaasFile}${line === undefined ? '' : ` line ${line}`}: ${detail}`, key, jaasFile);
  }
}

interface Token {
  readonly kind: 'word' | 'string' | '{' | '}' | ';' | '=';
  readonly text: string;
  readonly line: number;
}

const WORD = /[A-Za-z0-9_$.\-*/:@#%+,~?!^&|[\]()<>'`\\]/;

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const start = line;
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new JaasConfigError(file, start, 'unterminated /* comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if (c === '{' || c === '}' || c === ';' || c === '=') {
      tokens.push({ kind: c, text: c, line });
      i++;
    } else if (c === '"') {
      const start = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasConfigError(file, start, 'unterminated quoted string');
        const q = text[i]!;
        if (q === '"') break;
        if (q === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (q === '\n') line++;
        value += q;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: value, line: start });
    } else if (WORD.test(c)) {
      let word = '';
      while (i < text.length && WORD.test(text[i]!) && !(text[i] === '/' && /[/*]/.test(text[i + 1] ?? ''))) {
        word += text[i];
        i++;
      }
      tokens.push({ kind: 'word', text: word, line });
    } else {
      throw new JaasConfigError(file, line, `unexpected character '${c}'`);
    }
  }
  return tokens;
}

const FLAGS: readonly JaasFlag[] = ['required', 'requisite', 'sufficient', 'optional'];

/** Parse a whole JAAS file; `file` names it in errors. Throws JaasConfigError. */
export function parseJaas(text: string, file: string): JaasSection[] {
  const tokens = tokenize(text, file);
  let p = 0;
  const lastLine = (): number => tokens[tokens.length - 1]?.line ?? 1;
  const next = (what: string): Token => {
    const token = tokens[p++];
    if (token === undefined) throw new JaasConfigError(file, lastLine(), `expected ${what}, found the end of the file`);
    return token;
  };
  const expect = (kind: Token['kind'], what: string): Token => {
    const token = next(what);
    if (token.kind !== kind) throw new JaasConfigError(file, token.line, `expected ${what}, found '${token.text}'`);
    return token;
  };
  const sections: JaasSection[] = [];
  while (p < tokens.length) {
    const name = expect('word', 'a section name');
    expect('{', `'{' after section name ${name.text}`);
    const modules: JaasLoginModule[] = [];
    for (;;) {
      const head = next(`a login module class or '}' in section ${name.text}`);
      if (head.kind === '}') break;
      if (head.kind !== 'word')
        throw new JaasConfigError(file, head.line, `expected a login module class name, found '${head.text}'`);
      const flagToken = expect('word', `a control flag after ${head.text}`);
      const flag = flagToken.text.toLowerCase() as JaasFlag;
      if (!FLAGS.includes(flag))
        throw new JaasConfigError(
          file,
          flagToken.line,
          `invalid control flag '${flagToken.text}' for ${head.text} (required, requisite, sufficient or optional)`,
        );
      const options = new Map<string, string>();
      for (;;) {
        const option = next(`an option or ';' after ${head.text}`);
        if (option.kind === ';') break;
        if (option.kind !== 'word')
          throw new JaasConfigError(file, option.line, `expected an option name or ';', found '${option.text}'`);
        expect('=', `'=' after option ${option.text}`);
        const value = next(`a value for option ${option.text}`);
        if (value.kind !== 'word' && value.kind !== 'string')
          throw new JaasConfigError(
            file,
            value.line,
            `expected a value for option ${option.text}, found '${value.text}'`,
          );
        options.set(option.text, value.text);
      }
      modules.push({ className: head.text, flag, options, line: head.line });
    }
    const semicolon = tokens[p];
    if (semicolon === undefined || semicolon.kind !== ';')
      throw new JaasConfigError(
        file,
        semicolon?.line ?? lastLine(),
        `expected ';' after the '}' of section ${name.text}`,
      );
    p++;
    if (sections.some((section) => section.name === name.text))
      throw new JaasConfigError(file, name.line, `section ${name.text} appears twice`);
    sections.push({ name: name.text, modules, line: name.line });
  }
  return sections;
}

/** What the ZooKeeper client logs in with, from one section. */
export type ZkSaslLogin =
  | {
      readonly mechanism: 'GSSAPI';
      /** Krb5LoginModule principal=; required with useKeyTab. */
      readonly principal: string | undefined;
      /** keyTab= when useKeyTab=true: a login of our own into a private cache (src/kerberos/login.ts). */
      readonly keytab: string | undefined;
      /** ticketCache= (useTicketCache=true without a keytab); undefined: KRB5CCNAME or MIT's default. */
      readonly ticketCache: string | undefined;
      readonly line: number;
    }
  | {
      readonly mechanism: 'DIGEST-MD5';
      readonly username: string;
      /** Never logged. */
      readonly password: string;
      readonly line: number;
    };

const isTrue = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

/**
 * The login of section `sectionName` of a parsed file: the first Krb5LoginModule (GSSAPI) or
 * DigestLoginModule (DIGEST-MD5), as ZooKeeperSaslClient picks DIGEST-MD5 for a subject without
 * principals and GSSAPI otherwise. Throws JaasConfigError naming the file and line.
 */
export function zkSaslLogin(
  sections: readonly JaasSection[],
  sectionName: string,
  file: string,
  key?: string,
): ZkSaslLogin {
  const section = sections.find((candidate) => candidate.name === sectionName);
  if (section === undefined)
    throw new JaasConfigError(
      file,
      undefined,
      `no section '${sectionName}' (sections: ${sections.map((s) => s.name).join(', ') || 'none'})`,
      key,
    );
  const module = section.modules.find((m) => m.className === KRB5_LOGIN_MODULE || m.className === DIGEST_LOGIN_MODULE);
  if (module === undefined)
    throw new JaasConfigError(
      file,
      section.line,
      `section ${sectionName} has neither ${KRB5_LOGIN_MODULE} nor ${DIGEST_LOGIN_MODULE}` +
        (section.modules.length > 0 ? ` (found ${section.modules.map((m) => m.className).join(', ')})` : ''),
      key,
    );
  const o = module.options;
  if (module.className === DIGEST_LOGIN_MODULE) {
    const username = o.get('username');
    const password = o.get('password');
    if (username === undefined || username === '')
      throw new JaasConfigError(
        file,
        module.line,
        `${DIGEST_LOGIN_MODULE} in section ${sectionName} has no username`,
        key,
      );
    if (password === undefined)
      throw new JaasConfigError(
        file,
        module.line,
        `${DIGEST_LOGIN_MODULE} in section ${sectionName} has no password`,
        key,
      );
    return { mechanism: 'DIGEST-MD5', username, password, line: module.line };
  }
  const useKeyTab = isTrue(o.get('useKeyTab'));
  const keytab = useKeyTab ? o.get('keyTab') : undefined;
  const principal = o.get('principal');
  if (useKeyTab && (keytab === undefined || keytab === ''))
    throw new JaasConfigError(file, module.line, `${KRB5_LOGIN_MODULE}: useKeyTab=true needs keyTab=`, key);
  if (useKeyTab && (principal === undefined || principal === '' || principal === '*'))
    throw new JaasConfigError(
      file,
      module.line,
      `${KRB5_LOGIN_MODULE}: useKeyTab=true needs principal= (the principal of keyTab to log in as)`,
      key,
    );
  if (!useKeyTab && !isTrue(o.get('useTicketCache')))
    throw new JaasConfigError(
      file,
      module.line,
      `${KRB5_LOGIN_MODULE} needs useKeyTab=true (with keyTab= and principal=) or useTicketCache=true: ` +
        'a daemon cannot prompt for a password',
      key,
    );
  return {
    mechanism: 'GSSAPI',
    principal: principal === '' ? undefined : principal,
    keytab,
    ticketCache: useKeyTab ? undefined : o.get('ticketCache'),
    line: module.line,
  };
}
