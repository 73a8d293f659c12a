// @seamless/socket-transport: one publication, one subscription, 64-byte messages, 'reliable'.
import { createSocketTransport } from '@seamless/socket-transport';

const identity = { bootId: 'bench', ipcNamespace: 'bench', netNamespace: 'bench', hostname: 'bench' };

export const defaultMessages = 4_000_000;

// SEAMLESS_BENCH_QUEUE_BYTES sets both queue bounds, for experiments (default: the transport's).
const queueBytes = Number(process.env.SEAMLESS_BENCH_QUEUE_BYTES ?? 0);
const sendQueue = queueBytes > 0 ? { maxSendQueueBytes: queueBytes } : {};
const receiveQueue = queueBytes > 0 ? { maxReceiveQueueBytes: queueBytes } : {};

export async function publisher({ messages, size, listening }) {
  const transport = createSocketTransport({ host: '127.0.0.1', identity, ...sendQueue });
  let subscribed;
  const connected = new Promise((resolve) => (subscribed = resolve));
  const publication = await transport.openPublication(
    { topic: 'bench', publisherId: 'bench', policy: 'reliable', maxMessageSize: size },
    { subscribersChanged: (count) => count > 0 && subscribed() },
  );
  listening({ port: publication.endpoint.port });
  await connected;
  const payload = new Uint8Array(size).fill(7);
  let sequence = 0;
  while (sequence < messages) {
    while (sequence < messages && publication.send(payload, sequence)) sequence++;
    if (sequence < messages) await publication.drained(size);
  }
  return { close: () => transport.close() };
}

export async function subscriber({ port, messages, size, received }) {
  const transport = createSocketTransport({ identity, ...receiveQueue });
  const advertisement = {
    version: 1,
    topic: 'bench',
    publisherId: 'bench',
    policy: 'reliable',
    maxMessageSize: size,
    host: identity,
    addresses: ['127.0.0.1'],
    endpoints: { tcp: { port, tls: false } },
  };
  let count = 0;
  let bytes = 0;
  const handler = (message) => {
    bytes += message.data.byteLength;
    received(++count);
  };
  const subscription = await transport.openSubscription(
    advertisement,
    {},
    {
      readable: () => {
        while (subscription.poll(handler) > 0);
      },
      ended: (error) => {
        throw error;
      },
    },
  );
  return {
    check: () => (bytes === messages * size ? undefined : `received ${bytes} bytes, expected ${messages * size}`),
    close: () => transport.close(),
  };
}
