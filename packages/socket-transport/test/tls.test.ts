// TLS and mutual TLS over loopback, with certificates made by openssl for this run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import type { PublicationOptions } from '@seamless/transport';
import { createSocketTransport } from '../src/index.js';
import type { SocketTransport, SocketTransportOptions, SocketTransportTls } from '../src/index.js';
import { advertisementFor, Collector, identity, until } from './support.js';

interface Credentials {
  readonly caCert: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
  readonly rogueKey: string;
  readonly rogueCert: string;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const opensslAvailable = hasOpenssl();
if (!opensslAvailable) console.warn('skipping the TLS tests: the openssl command is not available to make certificates');

let directory = '';
let credentials: Credentials;

/** A CA, a server certificate for 127.0.0.1, a client certificate, and a client of another CA. */
function makeCredentials(): Credentials {
  directory = mkdtempSync(join(tmpdir(), 'seamless-tls-'));
  const file = (name: string): string => join(directory, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: directory, stdio: 'pipe' });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const authority = (name: string): void => {
    openssl('req', '-x509', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
  };
  const leaf = (name: string, signer: string, extensions: string): void => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${signer}.crt`),
      '-CAkey',
      file(`${signer}.key`),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
  };
  authority('seamless-test-ca');
  authority('rogue-ca');
  leaf('server', 'seamless-test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'seamless-test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('rogue', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string): string => readFileSync(file(name), 'utf8');
  return {
    caCert: read('seamless-test-ca.crt'),
    serverKey: read('server.key'),
    serverCert: read('server.crt'),
    clientKey: read('client.key'),
    clientCert: read('client.crt'),
    rogueKey: read('rogue.key'),
    rogueCert: read('rogue.crt'),
  };
}

beforeAll(() => {
  if (opensslAvailable) credentials = makeCredentials();
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

const transports: SocketTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function transport(options: SocketTransportOptions): SocketTransport {
  const created = createSocketTransport({ identity, host: '127.0.0.1', connectTimeoutMs: 3000, ...options });
  transports.push(created);
  return created;
}

const publicationOptions: PublicationOptions = { topic: 'secure', publisherId: 'p1', policy: 'reliable', maxMessageSize: 1024 };

async function failureOf(promise: Promise<unknown>): Promise<SeamlessError> {
  try {
    await promise;
  } catch (error) {
    if (SeamlessError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SeamlessError');
}

async function exchange(publisherOptions: SocketTransportOptions, subscriberOptions: SocketTransportOptions): Promise<Collector> {
  const publication = await transport(publisherOptions).openPublication(publicationOptions);
  const collector = new Collector();
  collector.subscription = await transport(subscriberOptions).openSubscription(advertisementFor(publication), {}, collector);
  await until(() => publication.subscriberCount === 1, 'the subscriber');
  for (let sequence = 0; sequence < 100; sequence++) publication.send(new Uint8Array(500).fill(sequence), sequence);
  await until(() => collector.messages.length === 100, 'the messages');
  return collector;
}

describe.skipIf(!opensslAvailable)('TLS', () => {
  it('carries messages over TLS and advertises it', async () => {
    const publication = await transport({ tls: { server: { key: credentials.serverKey, cert: credentials.serverCert } } }).openPublication(
      publicationOptions,
    );
    expect(publication.endpoint).toEqual({ port: publication.endpoint.port, tls: true });
    const collector = await exchange(
      { tls: { server: { key: credentials.serverKey, cert: credentials.serverCert } } },
      { tls: { client: { ca: credentials.caCert } } },
    );
    expect(collector.messages.map((message) => message.seq)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(collector.messages[99]?.data).toEqual(new Uint8Array(500).fill(99));
  });

  it('refuses a publisher whose certificate it cannot verify', async () => {
    const publication = await transport({ tls: { server: { key: credentials.serverKey, cert: credentials.serverCert } } }).openPublication(
      publicationOptions,
    );
    // No tls option: TLS publishers are checked against Node's default authorities only.
    const error = await failureOf(transport({}).openSubscription(advertisementFor(publication), {}, new Collector()));
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.message).toMatch(/certificate/i);
    expect(publication.subscriberCount).toBe(0);
  });

  it('refuses a plain TCP client at the TLS listener and reports it', async () => {
    const problems: SeamlessError[] = [];
    const publication = await transport({
      tls: { server: { key: credentials.serverKey, cert: credentials.serverCert } },
      onConnectionError: (problem) => problems.push(problem),
    }).openPublication(publicationOptions);
    const { encodeHello } = await import('../src/handshake.js');
    const socket = net.connect(publication.endpoint.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(encodeHello({ topic: 'secure', publisherId: 'p1', heartbeatTimeoutMs: 0, start: 'live', pid: 0, hostname: '' }));
    await until(() => problems.length === 1, 'the report');
    expect(problems[0]?.message).toMatch(/^TLS handshake with subscriber 127\.0\.0\.1:\d+ failed: /);
    expect(publication.subscriberCount).toBe(0);
    socket.destroy();
  });

  it('does not downgrade: with tls.client set, a plain TCP publisher is refused', async () => {
    const publication = await transport({}).openPublication(publicationOptions);
    const subscriber = transport({ tls: { client: { ca: credentials.caCert } } });
    expect(await subscriber.canReach(advertisementFor(publication))).toBe(false);
    const error = await failureOf(subscriber.openSubscription(advertisementFor(publication), {}, new Collector()));
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.message).toContain('offers plain TCP only; refused because this transport has tls.client options');
  });
});

describe.skipIf(!opensslAvailable)('mutual TLS', () => {
  const server = (): SocketTransportTls => ({
    server: { key: credentials.serverKey, cert: credentials.serverCert, ca: credentials.caCert, requestCert: true },
  });

  it('accepts a subscriber with a certificate from the trusted authority', async () => {
    const collector = await exchange(
      { tls: server() },
      { tls: { client: { ca: credentials.caCert, key: credentials.clientKey, cert: credentials.clientCert } } },
    );
    expect(collector.messages).toHaveLength(100);
  });

  it.each([
    ['without a certificate', (): SocketTransportTls => ({ client: { ca: credentials.caCert } })],
    [
      'with a certificate from another authority',
      (): SocketTransportTls => ({ client: { ca: credentials.caCert, key: credentials.rogueKey, cert: credentials.rogueCert } }),
    ],
  ])('refuses a subscriber %s', async (_, clientTls) => {
    const problems: SeamlessError[] = [];
    const publication = await transport({ tls: server(), onConnectionError: (problem) => problems.push(problem) }).openPublication(
      publicationOptions,
    );
    const error = await failureOf(transport({ tls: clientTls() }).openSubscription(advertisementFor(publication), {}, new Collector()));
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.message).toMatch(/cannot reach publisher "p1" of topic "secure": 127\.0\.0\.1:\d+: /);
    await until(() => problems.length > 0, 'the publisher to report the refusal');
    expect(problems[0]?.message).toMatch(/^TLS handshake with subscriber 127\.0\.0\.1:\d+ failed: .*certificate/i);
    expect(publication.subscriberCount).toBe(0);
  });
});
