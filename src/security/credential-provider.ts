// Hadoop's credential providers for the passwords zkfc reads (Configuration#getPassword): the stores
// of hadoop.security.credential.provider.path, each a JCEKS file as `hadoop credential create`
// (org.apache.hadoop.security.alias.CredentialShell) writes it, asked in order for an alias.
//
// What is read, as Hadoop reads it:
// - jceks://file/<path> (JavaKeyStoreProvider) and localjceks://file/<path> (LocalJavaKeyStoreProvider);
//   a missing file is an empty store, as for them. jceks://hdfs@... is skipped, as
//   ZKFailoverController#initZK drops HDFS-backed providers (ProviderUtils.excludeIncompatibleCredentialProviders);
//   user:/// (the credentials of a process's UGI, empty for a daemon) holds nothing here. Any other
//   provider is refused (CredentialProviderFactory has no factory for it either).
// - The store password (AbstractJavaKeyStoreProvider#locatePassword, ProviderUtils#locatePassword):
//   $HADOOP_CREDSTORE_PASSWORD when set, else the content (trimmed) of the file named by
//   hadoop.security.credstore.java-keystore-provider.password-file (Hadoop looks it up on the
//   classpath, i.e. in the configuration directory: a relative name is read there, an absolute
//   path as it is), else "none".
// Each store is read once, when first asked. Errors name the alias, the provider and its file.

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { errorMessage, ZkfcError } from '../errors.js';
import { JceksError, readJceks, unsealSecretKey, type JceksSecretKey } from './jceks.js';

export const CREDENTIAL_PASSWORD_ENV_VAR = 'HADOOP_CREDSTORE_PASSWORD';
export const CREDENTIAL_PASSWORD_DEFAULT = 'none';

/** A provider path or store that cannot be used; the message names the provider, file and alias. */
export class CredentialProviderError extends ZkfcError {
  readonly code = 'CREDENTIAL_PROVIDER_INVALID';
}

export interface CredentialProviderOptions {
  /** hadoop.security.credential.provider.path, as configured. */
  readonly path: string;
  readonly pathKey: string;
  /** hadoop.security.credstore.java-keystore-provider.password-file, or null. */
  readonly passwordFile: string | null;
  readonly passwordFileKey: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a relative password file is looked for (the Hadoop configuration directory). */
  readonly confDir: string;
}

/** A credential found, and the provider it came from. */
export interface Credential {
  readonly value: string;
  readonly provider: string;
}

interface Store {
  readonly uri: string;
  readonly file: string;
  entries?: ReadonlyMap<string, JceksSecretKey>;
  /** Reading it failed (reported once, for the first alias asked: that stops the configuration). */
  failed?: boolean;
}

export class CredentialProviders {
  private password: { readonly value: string; readonly from: string } | undefined;

  private constructor(
    private readonly stores: readonly Store[],
    private readonly options: CredentialProviderOptions,
  ) {}

  /** Parse the provider path. Throws CredentialProviderError for a provider zkfc cannot read. */
  static open(options: CredentialProviderOptions): CredentialProviders {
    const stores: Store[] = [];
    for (const uri of options.path.split(',').map((part) => part.trim())) {
      if (uri === '') continue;
      const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(uri);
      const scheme = match?.[1]?.toLowerCase();
      const authority = match?.[2] ?? '';
      if (scheme === 'user') continue;
      if ((scheme === 'jceks' || scheme === 'localjceks') && authority === 'file' && match?.[3] !== undefined) {
        stores.push({ uri, file: decodeURIComponent(match[3]) });
        continue;
      }
      if (scheme === 'jceks' && /^hdfs@/i.test(authority)) continue; // excluded by the ZKFC, see above
      throw new CredentialProviderError(
        `${options.pathKey}: provider ${uri} is not supported (jceks://file/<path> and localjceks://file/<path> are)`,
      );
    }
    return new CredentialProviders(stores, options);
  }

  /** The providers that are asked, in order. */
  uris(): readonly string[] {
    return this.stores.map((store) => store.uri);
  }

  /** Configuration#getPasswordFromCredentialProviders: the first provider holding `alias`. */
  get(alias: string): Credential | undefined {
    const key = alias.toLowerCase(); // JceKeyStore keeps aliases in lower case
    for (const store of this.stores) {
      if (store.failed === true) continue;
      const entries = this.entriesOf(store, alias);
      const entry = entries.get(key);
      if (entry === undefined) continue;
      try {
        return { value: unsealSecretKey(entry, this.storePassword().value).toString('utf8'), provider: store.uri };
      } catch (error) {
        throw this.failure(store, alias, error);
      }
    }
    return undefined;
  }

  private entriesOf(store: Store, alias: string): ReadonlyMap<string, JceksSecretKey> {
    if (store.entries !== undefined) return store.entries;
    let bytes: Buffer;
    try {
      bytes = readFileSync(store.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        store.entries = new Map(); // JavaKeyStoreProvider: no file, an empty store
        return store.entries;
      }
      store.failed = true;
      throw this.failure(store, alias, error);
    }
    try {
      store.entries = readJceks(bytes, this.storePassword().value);
    } catch (error) {
      store.failed = true;
      throw this.failure(store, alias, error);
    }
    return store.entries;
  }

  private failure(store: Store, alias: string, error: unknown): CredentialProviderError {
    const password =
      error instanceof JceksError && error.kind === 'wrong-password'
        ? ` (the store password comes from ${this.storePassword().from})`
        : '';
    return new CredentialProviderError(
      `cannot read ${alias} from credential provider ${store.uri} (${store.file}): ${errorMessage(error)}${password}`,
      { cause: error },
    );
  }

  /** ProviderUtils#locatePassword, then the default; read once. */
  private storePassword(): { readonly value: string; readonly from: string } {
    if (this.password !== undefined) return this.password;
    const fromEnv = this.options.env[CREDENTIAL_PASSWORD_ENV_VAR];
    if (fromEnv !== undefined) this.password = { value: fromEnv, from: `$${CREDENTIAL_PASSWORD_ENV_VAR}` };
    else if (this.options.passwordFile !== null && this.options.passwordFile.trim() !== '') {
      const name = this.options.passwordFile.trim();
      const file = isAbsolute(name) ? name : join(this.options.confDir, name);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (cause) {
        throw new CredentialProviderError(
          `${this.options.passwordFileKey}: Password file does not exist or cannot be read: ` +
            `${file}: ${errorMessage(cause)}`,
          { cause },
        );
      }
      this.password = { value: text.trim(), from: `the file ${file} (${this.options.passwordFileKey})` };
    } else this.password = { value: CREDENTIAL_PASSWORD_DEFAULT, from: `the default "${CREDENTIAL_PASSWORD_DEFAULT}"` };
    return this.password;
  }
}
