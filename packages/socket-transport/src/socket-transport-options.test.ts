import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { resolveSocketTransportOptions, SOCKET_TRANSPORT_DEFAULTS } from './socket-transport-options.js';

function problem(options: unknown): string {
  try {
    resolveSocketTransportOptions(options);
  } catch (error) {
    if (SeamlessError.isInstance(error, 'ERR_INVALID_ARGUMENT')) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('resolveSocketTransportOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveSocketTransportOptions();
    expect(resolved).toMatchObject({
      host: undefined,
      port: 0,
      tls: { server: undefined, client: undefined },
      identity: undefined,
      maxMessageSize: SOCKET_TRANSPORT_DEFAULTS.maxMessageSize,
      maxSendQueueBytes: 4 * 1024 * 1024,
      maxReceiveQueueBytes: 8 * 1024 * 1024,
      heartbeat: { intervalMs: 1000, timeoutMs: 10_000 },
      reconnect: { initialDelayMs: 100, maxDelayMs: 5000, jitter: 0.5, giveUpAfterMs: 60_000 },
      connectTimeoutMs: 5000,
      lingerMs: 2000,
    });
    expect(resolved.random).toBe(Math.random);
  });

  it('accepts a full, valid configuration', () => {
    const random = (): number => 0.5;
    const resolved = resolveSocketTransportOptions({
      host: '::1',
      port: 4000,
      tls: { server: {}, client: { rejectUnauthorized: true } },
      identity: { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' },
      maxMessageSize: 0,
      maxSendQueueBytes: 1,
      maxReceiveQueueBytes: 1,
      heartbeat: { intervalMs: 10, timeoutMs: 0 },
      reconnect: { initialDelayMs: 10, maxDelayMs: 10, jitter: 1, giveUpAfterMs: Number.POSITIVE_INFINITY },
      connectTimeoutMs: 1,
      lingerMs: 0,
      random,
    });
    expect(resolved.random).toBe(random);
    expect(resolved.reconnect.giveUpAfterMs).toBe(Number.POSITIVE_INFINITY);
    expect(resolved.heartbeat.timeoutMs).toBe(0);
    expect(problem({ host: 'localhost' })).toBe('accepted');
    expect(problem({ host: 'pub-1.example.com' })).toBe('accepted');
  });

  it.each([
    [null, 'options must be an object'],
    [{ prot: 1 }, 'prot is not a known option (known: host, port'],
    [{ host: 'bad host' }, 'host must be an IP address or a host name, got "bad host"'],
    [{ host: 42 }, 'host must be an IP address or a host name, got 42'],
    [{ port: 65536 }, 'port must be an integer from 0 to 65535, got 65536'],
    [{ port: 1.5 }, 'port must be an integer'],
    [{ tls: true }, 'tls must be an object, got true'],
    [{ tls: {} }, 'tls must have server or client options'],
    [{ tls: { server: 'cert' } }, 'tls.server must be an object'],
    [{ tls: { sever: {} } }, 'tls.sever is not a known option (known: server, client)'],
    [{ identity: { bootId: 'b' } }, 'identity.ipcNamespace must be a non-empty string'],
    [{ maxMessageSize: -1 }, 'maxMessageSize must be an integer from 0 to 1073741824'],
    [{ maxMessageSize: 2 ** 31 }, 'maxMessageSize must be an integer from 0 to 1073741824'],
    [{ maxSendQueueBytes: 0 }, 'maxSendQueueBytes must be an integer from 1'],
    [{ maxReceiveQueueBytes: '8M' }, 'maxReceiveQueueBytes must be an integer from 1'],
    [{ heartbeat: { intervalMs: 5 } }, 'heartbeat.intervalMs must be an integer from 10'],
    [
      { heartbeat: { intervalMs: 1000, timeoutMs: 1000 } },
      'heartbeat.timeoutMs must be 0 (never) or greater than heartbeat.intervalMs (1000), got 1000',
    ],
    [{ heartbeat: { timeout: 1 } }, 'heartbeat.timeout is not a known option'],
    [{ reconnect: { initialDelayMs: 0 } }, 'reconnect.initialDelayMs must be an integer from 1'],
    [
      { reconnect: { initialDelayMs: 100, maxDelayMs: 50 } },
      'reconnect.maxDelayMs must be at least reconnect.initialDelayMs (100), got 50',
    ],
    [{ reconnect: { jitter: 1.5 } }, 'reconnect.jitter must be a number from 0 to 1, got 1.5'],
    [{ reconnect: { jitter: Number.NaN } }, 'reconnect.jitter must be a number from 0 to 1'],
    [{ reconnect: { giveUpAfterMs: -1 } }, 'reconnect.giveUpAfterMs must be a non-negative integer or Infinity'],
    [{ connectTimeoutMs: 0 }, 'connectTimeoutMs must be an integer from 1'],
    [{ lingerMs: -5 }, 'lingerMs must be an integer from 0'],
    [{ onConnectionError: 'log' }, 'onConnectionError must be a function, got "log"'],
    [{ network: { connect: 1 } }, 'network.connect must be a function, got 1'],
    [{ random: 0.5 }, 'random must be a function, got 0.5'],
  ])('refuses %j: %s', (options, message) => {
    expect(problem(options)).toContain(`invalid socket transport options: ${message}`);
  });

  it('keeps a large initial delay consistent with the default cap', () => {
    expect(resolveSocketTransportOptions({ reconnect: { initialDelayMs: 9000 } }).reconnect.maxDelayMs).toBe(9000);
  });
});
