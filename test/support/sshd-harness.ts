// Test-side entry point of the throw-away sshd. The implementation lives in src/testing/sshd.ts
// (no vitest imports) so the compiled chaos runner and benchmark can use the same code; tests
// import it from here.

export { SSHD_PATH, SshdMissingError, startSshd, type SshdHarness, type SshdOptions } from '../../src/testing/sshd.js';
