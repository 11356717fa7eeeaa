// Goal: an exception a peer sends (NameNode, ZKFC: any host that can answer an RPC) cannot make the
// errors and log lines built from it huge: its class name, message and full text are cut to
// bounds, saying how much was cut, while ordinary exceptions pass unchanged.
// Method: RemoteError built from hostile and ordinary response-header fields.
import { describe, expect, it } from 'vitest';
import {
  RemoteError,
  REMOTE_CLASS_NAME_MAX_CHARS,
  REMOTE_ERROR_MSG_MAX_CHARS,
  REMOTE_MESSAGE_MAX_CHARS,
} from '../../../src/ipc/errors.js';

describe('RemoteError bounds', () => {
  it('cuts a megabyte message, class name and stack text to their bounds', () => {
    const error = new RemoteError({
      className: 'C'.repeat(10_000),
      errorMsg: `${'m'.repeat(1024 * 1024)}\n${'s'.repeat(1024 * 1024)}`,
      status: 'ERROR',
      errorDetail: undefined,
    });
    expect(error.message.length).toBeLessThan(REMOTE_MESSAGE_MAX_CHARS + 32);
    expect(error.message).toMatch(/…\[\d+ more chars\]$/);
    expect(error.className.length).toBeLessThan(REMOTE_CLASS_NAME_MAX_CHARS + 32);
    expect(error.errorMsg.length).toBeLessThan(REMOTE_ERROR_MSG_MAX_CHARS + 32);
  });

  it('leaves an ordinary exception as Hadoop sent it', () => {
    const error = new RemoteError({
      className: 'org.apache.hadoop.ha.ServiceFailedException',
      errorMsg:
        'Unable to become active. Local node is not healthy\n\tat ' +
        'org.apache.hadoop.ha.ZKFailoverController.doGracefulFailover(ZKFailoverController.java:671)',
      status: 'ERROR',
      errorDetail: 'ERROR_APPLICATION',
    });
    expect(error.message).toBe('Unable to become active. Local node is not healthy');
    expect(error.className).toBe('org.apache.hadoop.ha.ServiceFailedException');
    expect(error.errorMsg).toContain('ZKFailoverController.java:671');
  });
});
