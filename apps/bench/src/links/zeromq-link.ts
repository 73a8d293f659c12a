// zeromq.js 6 with its usual promise API (`await socket.send()`, `await socket.receive()`),
// over `ipc://` (a Unix socket) or `tcp://127.0.0.1`. The socket types a zeromq user picks:
// - round trip: DEALER <-> DEALER (asynchronous request/reply, one message in flight);
// - one-way streaming: PUSH -> PULL;
// - fan-out: XPUB -> 4 × SUB, with XPUB_NODROP so that a slow subscriber blocks the publisher
//   instead of losing messages (the other cases are reliable too), and the publisher waits
//   until every subscription has arrived (PUB/SUB drops what it sends before that).
import { join } from 'node:path';
import { Dealer, Pull, Push, Subscriber, XPublisher } from 'zeromq';
import type { LinkRequest, OpenedLink } from '../cases/bench-case.js';
import type { AsyncLink } from './link.js';

type Socket = Dealer | Pull | Push | Subscriber | XPublisher;

/** Opens one side of a zeromq measurement. */
export async function openZeromqLink(request: LinkRequest, transport: 'ipc' | 'tcp'): Promise<OpenedLink> {
  const sender = request.role === 'sender';
  const socket: Socket =
    request.measure === 'round-trip'
      ? new Dealer()
      : request.measure === 'throughput'
        ? sender
          ? new Push()
          : new Pull()
        : sender
          ? new XPublisher({ noDrop: true, verbosity: 'allSubs' })
          : new Subscriber();
  // Never give up on a peer during a measurement: the coordinator's timeout is the guard.
  socket.linger = 0;
  let address = '';
  if (sender) {
    await socket.bind(transport === 'ipc' ? `ipc://${join(request.directories.sockets, `${request.id}.ipc`)}` : 'tcp://127.0.0.1:*');
    address = socket.lastEndpoint ?? '';
  } else {
    if (socket instanceof Subscriber) socket.subscribe();
    socket.connect(request.address);
  }
  const subscribed = sender && socket instanceof XPublisher ? waitForSubscriptions(socket, request.receivers) : Promise.resolve();
  subscribed.catch(() => undefined);
  const link: AsyncLink = {
    style: 'async',
    route: transport === 'ipc' ? 'zeromq ipc (Unix socket)' : 'zeromq tcp 127.0.0.1',
    async ready() {
      await subscribed;
    },
    send(data) {
      if (socket instanceof Pull || socket instanceof Subscriber) throw new Error('this side only receives');
      return socket instanceof XPublisher ? sendWithoutDropping(socket, data) : socket.send(data);
    },
    async receive() {
      if (socket instanceof Push) throw new Error('this side only sends');
      const [message] = await socket.receive();
      if (message === undefined) throw new Error('received an empty multipart message');
      return message;
    },
    close() {
      socket.close();
      return Promise.resolve();
    },
  };
  return { link, address };
}

// With XPUB_NODROP a send at the high-water mark fails with EAGAIN instead of waiting (XPUB
// always reports itself writable, so zeromq.js cannot wait for room): retry on the next turn of
// the event loop, as the zeromq.js documentation tells users to.
async function sendWithoutDropping(publisher: XPublisher, data: Uint8Array): Promise<void> {
  for (;;) {
    try {
      await publisher.send(data);
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

// XPUB hands over one message per new subscription (byte 1 + prefix).
async function waitForSubscriptions(publisher: XPublisher, count: number): Promise<void> {
  for (let seen = 0; seen < count;) {
    const [message] = await publisher.receive();
    if (message?.[0] === 1) seen++;
  }
}
