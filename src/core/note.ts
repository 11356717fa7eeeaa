// Notes: how the pure core explains itself. The core never logs; every decision it takes comes
// back from step() as a Note (stable message text, variables in fields, a level), and the runtime
// writes them to the log. State changes all have the same shape, { from, to, reason }, so a reader
// (or a test) can follow any machine's transitions without knowing its internals.

export type NoteLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Plain, readonly values only (no class instances): notes are logged as JSON and compared in tests. */
export type NoteFieldValue = string | number | boolean | bigint | null | undefined | readonly string[];
export type NoteFields = Readonly<Record<string, NoteFieldValue>>;

export interface Note {
  readonly level: NoteLevel;
  /**
   * Stable text: greppable. Built from constants only, except that a state change names its
   * machine (`elector state changed`, `health state changed`); values go into `fields`.
   */
  readonly msg: string;
  readonly fields: NoteFields;
}

/** What every core step returns: effects to run in order, and the reasons for them. */
export interface StepResult<Command> {
  readonly commands: readonly Command[];
  readonly notes: readonly Note[];
}

/** Mutable accumulator used inside one step; frozen into a StepResult at the end. */
export class StepOutput<Command> {
  readonly commands: Command[] = [];
  readonly notes: Note[] = [];

  command(command: Command): void {
    this.commands.push(command);
  }

  note(level: NoteLevel, msg: string, fields: NoteFields = {}): void {
    this.notes.push({ level, msg, fields });
  }

  /** A state change of `machine`, logged at info as { from, to, reason } (grpc-js/raft style). */
  stateChange(machine: string, from: string, to: string, reason: string, fields: NoteFields = {}): void {
    this.notes.push({ level: 'info', msg: `${machine} state changed`, fields: { from, to, reason, ...fields } });
  }

  result(): StepResult<Command> {
    return { commands: this.commands, notes: this.notes };
  }
}

/** Byte-for-byte equality (Java's Arrays.equals on the breadcrumb data). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex of the first `max` bytes (Hadoop logs znode data as hex). */
export function toHex(data: Uint8Array, max = 128): string {
  let out = '';
  const n = Math.min(data.length, max);
  for (let i = 0; i < n; i++) out += (data[i] ?? 0).toString(16).padStart(2, '0');
  return data.length > max ? `${out}…` : out;
}

/**
 * `text` cut to `max` characters with a marker saying how much was cut: strings read from
 * ZooKeeper (a breadcrumb's hostname can be 64 KiB) must not grow every note that quotes them.
 */
export function clipText(text: string, max = 256): string {
  return text.length > max ? `${text.slice(0, max)}…[${text.length - max} more chars]` : text;
}
