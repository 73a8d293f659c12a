import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage } from './dashboard-protocol.js';

describe('parseClientMessage', () => {
  it('reads a ping', () => {
    expect(parseClientMessage('{"type":"ping","id":17}')).toEqual({ type: 'ping', id: 17 });
  });

  it('ignores everything else without throwing', () => {
    for (const text of [
      '',
      'hello',
      '{',
      'null',
      '42',
      '[]',
      '{"type":"pong","id":1}',
      '{"type":"ping"}',
      '{"type":"ping","id":1.5}',
      '{"type":"ping","id":"1"}',
    ]) {
      expect(parseClientMessage(text), text).toBeUndefined();
    }
    expect(parseClientMessage(`{"type":"ping","id":1,"pad":"${'x'.repeat(MAX_CLIENT_MESSAGE_BYTES)}"}`)).toBeUndefined();
  });
});
