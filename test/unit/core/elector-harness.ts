// Test harness for the pure ActiveStandbyElector: feeds events, records every command and note,
// and offers the small queries the ported Hadoop scenarios need ("how many creates", "which
// callbacks"). No mocks: the elector is the real one; ZooKeeper's answers are the events we feed.

import { ActiveStandbyElector, type ElectorConfig } from '../../../src/core/elector/elector.js';
import type { ElectorCommand } from '../../../src/core/elector/commands.js';
import type { ElectorEvent, ZkResultCode } from '../../../src/core/elector/events.js';
import type { Note } from '../../../src/core/note.js';
import { defaultSettings } from '../../../src/config/load.js';

export const WORKING_DIR = '/parent/node';
export const LOCK = `${WORKING_DIR}/ActiveStandbyElectorLock`;
export const BREADCRUMB = `${WORKING_DIR}/ActiveBreadCrumb`;

export class ElectorHarness {
  readonly elector: ActiveStandbyElector;
  readonly commands: ElectorCommand[] = [];
  readonly notes: Note[] = [];
  nowMs = 0;

  constructor(config: Partial<ElectorConfig> = {}) {
    this.elector = new ActiveStandbyElector({
      workingDir: WORKING_DIR,
      zkOpRetries: defaultSettings().failover.zkOpRetries,
      ...config,
    });
  }

  step(event: ElectorEvent): readonly ElectorCommand[] {
    const result = this.elector.step(event, this.nowMs);
    this.commands.push(...result.commands);
    this.notes.push(...result.notes);
    return result.commands;
  }

  /** Epoch of the current session (throws when there is none: a test bug). */
  get epoch(): number {
    const epoch = this.elector.snapshot().epoch;
    if (epoch === undefined) throw new Error('no current session');
    return epoch;
  }

  get state(): string {
    return this.elector.snapshot().state;
  }

  count(type: ElectorCommand['type']): number {
    return this.commands.filter((command) => command.type === type).length;
  }

  last<T extends ElectorCommand['type']>(type: T): Extract<ElectorCommand, { type: T }> {
    for (let i = this.commands.length - 1; i >= 0; i--) {
      const command = this.commands[i];
      if (command?.type === type) return command as Extract<ElectorCommand, { type: T }>;
    }
    throw new Error(`no ${type} command`);
  }

  /** Start the elector and connect its first session as session id `sessionId`. */
  startConnected(sessionId = 1n): void {
    this.step({ type: 'ElectorStarted' });
    this.connectLatest(sessionId);
  }

  /** Answer the latest OpenZkSession with `connected`. */
  connectLatest(sessionId = 1n): void {
    const open = this.last('OpenZkSession');
    this.step({ type: 'ZkSessionStateChanged', epoch: open.epoch, state: 'connected', sessionId });
  }

  session(
    state: 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'connectTimedOut',
    sessionId?: bigint,
  ): void {
    this.step({
      type: 'ZkSessionStateChanged',
      epoch: this.epoch,
      state,
      ...(sessionId === undefined ? {} : { sessionId }),
    });
  }

  create(code: ZkResultCode): void {
    this.step({ type: 'LockCreateFinished', epoch: this.epoch, code });
  }

  stat(code: ZkResultCode, ephemeralOwner?: bigint): void {
    this.step({
      type: 'LockMonitorFinished',
      epoch: this.epoch,
      code,
      ...(ephemeralOwner === undefined ? {} : { ephemeralOwner }),
    });
  }

  watch(watchType: 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged', path = LOCK): void {
    this.step({ type: 'LockWatchFired', epoch: this.epoch, watchType, path });
  }

  /** Answer the pending breadcrumb read: NONODE, or data at `version`. */
  breadcrumb(answer: 'none' | { data: Uint8Array; version: number }, epoch = this.epoch): void {
    if (answer === 'none') this.step({ type: 'BreadcrumbReadFinished', epoch, code: 'NONODE' });
    else this.step({ type: 'BreadcrumbReadFinished', epoch, code: 'OK', data: answer.data, version: answer.version });
  }

  breadcrumbWritten(code: ZkResultCode = 'OK'): void {
    this.step({ type: 'BreadcrumbWriteFinished', epoch: this.epoch, code });
  }

  becameActive(ok: boolean): void {
    this.step({
      type: 'BecomeActiveFinished',
      activationId: this.last('BecomeActive').activationId,
      ok,
      reason: ok ? 'ok' : 'failed to become active',
    });
  }

  /** Drive a won lock (create OK or owned stat) through an empty breadcrumb to ACTIVE. */
  completeActivationWithoutPriorActive(): void {
    this.breadcrumb('none');
    this.breadcrumbWritten('OK');
    this.becameActive(true);
  }

  fireLatestTimer(): void {
    const timer = this.last('ScheduleElectorTimer');
    this.nowMs += timer.delayMs;
    this.step({ type: 'ElectorTimerFired', timer: timer.timer, token: timer.token });
  }

  fatalMessages(): string[] {
    return this.commands.flatMap((command) => (command.type === 'NotifyFatalError' ? [command.message] : []));
  }
}
