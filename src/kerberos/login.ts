// The daemon's Kerberos login from a keytab, as DFSZKFailoverController.loginAsFCUser
// (SecurityUtil.login → UserGroupInformation.loginUserFromKeytab) and the UGI's renewal do it:
// initial credentials for the principal from the keytab (MIT's client keytab, through
// gss_acquire_cred_from) into a credential cache of our own in a private directory (mode 0700,
// removed on stop), never the user's default cache; then a fresh ticket every time 80 % of the
// current one's lifetime has passed (UserGroupInformation's TICKET_RENEW_WINDOW), and MIT gets a
// new one by itself from the keytab for any context started after that. A failed login is
// reported with the principal and the keytab (MIT's reason; never key material) and retried; the
// connections that need it fail meanwhile, so the controller stays out of the election.

import { constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZkfcError } from '../errors.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Cancel, Clock } from '../runtime/ports.js';
import type { GssCredentialStore, Gssapi } from './gssapi.js';

/** UserGroupInformation.TICKET_RENEW_WINDOW: renew after this fraction of the ticket's lifetime. */
export const TICKET_RENEW_WINDOW = 0.8;
/** Retry of a failed login. */
export const LOGIN_RETRY_MS = 10_000;

export class KerberosLoginError extends ZkfcError<'KERBEROS_LOGIN_FAILED'> {
  readonly code = 'KERBEROS_LOGIN_FAILED';
  constructor(
    readonly principal: string,
    readonly keytab: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Kerberos login of ${principal} from keytab ${keytab} failed: ${reason}`, options);
  }
}

export interface KerberosLoginOptions {
  readonly gss: Gssapi;
  /** dfs.namenode.kerberos.principal with _HOST substituted. */
  readonly principal: string;
  /** dfs.namenode.keytab.file. */
  readonly keytab: string;
  readonly clock: Pick<Clock, 'schedule'>;
  readonly logger?: Logger;
  /** Where the private cache directory is made; default the system temp dir. */
  readonly parentDir?: string;
}

export type LoginState =
  | { readonly ok: true; readonly lifetimeSec: number | undefined }
  | { readonly ok: false; readonly error: KerberosLoginError };

export class KerberosLogin {
  readonly principal: string;
  readonly keytab: string;
  /** Our cache and the keytab: what every context of the daemon initiates with. */
  readonly credentials: GssCredentialStore;
  private readonly dir: string;
  private readonly log: Logger;
  private cancelTimer: Cancel = () => {};
  private stopped = false;
  state: LoginState | undefined;

  constructor(private readonly options: KerberosLoginOptions) {
    this.principal = options.principal;
    this.keytab = options.keytab;
    this.dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'zkfc-krb5-'));
    this.credentials = { ccache: `FILE:${join(this.dir, 'krb5cc')}`, clientKeytab: options.keytab };
    this.log = (options.logger ?? silentLogger()).child({ component: 'kerberos-login' });
  }

  /** Log in once; rejects with KerberosLoginError. */
  async login(): Promise<{ lifetimeSec: number | undefined }> {
    try {
      // node:fs/promises is loaded here, not with the daemon: most daemons never log in (README "A lean daemon").
      const { access } = await import('node:fs/promises');
      await access(this.keytab, constants.R_OK);
    } catch (cause) {
      throw new KerberosLoginError(this.principal, this.keytab, `cannot read the keytab (${errno(cause)})`, { cause });
    }
    try {
      const info = await this.options.gss.inquireCredentials({
        principal: this.principal,
        credentials: this.credentials,
      });
      return { lifetimeSec: info.lifetimeSec };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new KerberosLoginError(this.principal, this.keytab, reason, { cause });
    }
  }

  /** Log in now and keep the login fresh until stop(); a failure is logged and retried. */
  async start(): Promise<LoginState> {
    await this.attempt();
    return this.state!;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    let delayMs: number;
    try {
      const { lifetimeSec } = await this.login();
      const renewal = this.state?.ok === true ? 'renewed' : 'logged in';
      this.state = { ok: true, lifetimeSec };
      this.log.info(
        { principal: this.principal, keytab: this.keytab, lifetimeSec: lifetimeSec ?? null },
        `Kerberos ${renewal} from keytab`,
      );
      delayMs = lifetimeSec === undefined ? 3_600_000 : Math.max(1000, lifetimeSec * 1000 * TICKET_RENEW_WINDOW);
    } catch (error) {
      const failure =
        error instanceof KerberosLoginError
          ? error
          : new KerberosLoginError(this.principal, this.keytab, String(error), { cause: error });
      const first = this.state?.ok !== false;
      this.state = { ok: false, error: failure };
      if (first)
        this.log.error({ err: failure, principal: this.principal, keytab: this.keytab }, 'Kerberos login failed');
      delayMs = LOGIN_RETRY_MS;
    }
    if (this.stopped) return;
    this.cancelTimer = this.options.clock.schedule(delayMs, () => void this.attempt());
  }

  /** Stop renewing and remove the private cache. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
