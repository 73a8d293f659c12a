// zeromq.js 6 PUSH/PULL over TCP, the usual async API (one awaited send per message).
import { Pull, Push } from 'zeromq';

export const defaultMessages = 600_000;

export async function publisher({ messages, size, listening }) {
  const push = new Push();
  await push.bind('tcp://127.0.0.1:*');
  listening({ port: Number(new URL(push.lastEndpoint.replace('tcp://', 'http://')).port) });
  const payload = Buffer.alloc(size, 7);
  for (let index = 0; index < messages; index++) await push.send(payload);
  return { close: () => push.close() };
}

export async function subscriber({ port, messages, size, received }) {
  const pull = new Pull();
  pull.connect(`tcp://127.0.0.1:${port}`);
  let count = 0;
  let bytes = 0;
  void (async () => {
    for await (const [message] of pull) {
      bytes += message.length;
      received(++count);
      if (count === messages) break;
    }
  })();
  return {
    check: () => (bytes === messages * size ? undefined : `received ${bytes} bytes, expected ${messages * size}`),
    close: () => pull.close(),
  };
}
