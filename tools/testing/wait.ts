// Waiting in tests and tools, written once: sleep; waitUntil, which polls a condition until it
// holds (or a value appears) and fails naming what it waited for; and eventually, which retries an
// assertion until it stops throwing and otherwise rethrows its last error.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `probe` every `intervalMs` until it returns something other than undefined, null or false;
 * returns that. After `timeoutMs` throws "not within N ms: <what>" (with the probe's last error as
 * cause, if it threw); `what` may be a function, called then, to describe the state at the timeout.
 */
export async function waitUntil<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`not within ${timeoutMs} ms: ${described}`, lastError === undefined ? {} : { cause: lastError });
    }
    await sleep(intervalMs);
  }
}

/** Retry `assertion` until it returns without throwing; after `timeoutMs` rethrow its last error. */
export async function eventually<T>(assertion: () => T | Promise<T>, timeoutMs: number, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await sleep(intervalMs);
  }
}
