import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { MulticastSettings } from './multicast-resolver-options.js';

/** What the sockets report to their resolver. */
export interface MulticastSocketEvents {
  readonly message: (bytes: Buffer) => void;
  /** Something about multicast failed here: `what` names the step. */
  readonly unavailable: (what: string, error: unknown) => void;
  readonly sent: () => void;
  readonly sendError: () => void;
}

/**
 * The UDP sockets of a MulticastResolver: one receiver bound to the group's port and joined on
 * every interface, one sender per interface. Failures are reported through `unavailable`, never
 * thrown: an interface that cannot join must not keep the others out. Sockets never keep the
 * process alive.
 */
export class MulticastSockets {
  readonly #settings: MulticastSettings;
  readonly #events: MulticastSocketEvents;
  #receiver: Socket | undefined;
  #senders: Socket[] = [];

  constructor(settings: MulticastSettings, events: MulticastSocketEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  /** Binds, joins and creates the senders; never rejects. */
  async open(): Promise<void> {
    const { group, port, interfaces } = this.#settings;
    const receiver = createSocket({ type: 'udp4', reuseAddr: true });
    this.#receiver = receiver;
    receiver.on('message', (bytes) => {
      this.#events.message(bytes);
    });
    receiver.on('error', (error) => {
      this.#events.unavailable('receiving', error);
    });
    // Bound to the group itself (where the platform allows it), the socket receives only this
    // group's datagrams, not those of other groups that share the port.
    const address = process.platform === 'win32' ? '0.0.0.0' : group;
    try {
      await bind(receiver, { port, address, exclusive: false });
      receiver.unref();
      this.#growReceiveBuffer(receiver);
    } catch (error) {
      this.#events.unavailable(`binding ${address}:${port}`, error);
    }
    const locals = interfaces.length === 0 ? [undefined] : interfaces;
    for (const local of locals) {
      try {
        if (local === undefined) receiver.addMembership(group);
        else receiver.addMembership(group, local);
      } catch (error) {
        this.#events.unavailable(`joining the group${local === undefined ? '' : ` on ${local}`}`, error);
      }
    }
    for (const local of locals) await this.#openSender(local);
  }

  /**
   * Sends `bytes` to the group from every interface; failures are counted, never thrown. The
   * promise settles when the kernel has taken them (or refused).
   */
  send(bytes: Buffer): Promise<void> {
    const { group, port } = this.#settings;
    return Promise.all(
      this.#senders.map(
        (sender) =>
          new Promise<void>((resolve) => {
            try {
              sender.send(bytes, port, group, (error) => {
                if (error === null) {
                  this.#events.sent();
                } else {
                  this.#events.sendError();
                  this.#events.unavailable('sending', error);
                }
                resolve();
              });
            } catch {
              // A socket closed under us (close() racing a timer): nothing to report.
              this.#events.sendError();
              resolve();
            }
          }),
      ),
    ).then(() => undefined);
  }

  async close(): Promise<void> {
    const sockets = [...this.#senders, ...(this.#receiver === undefined ? [] : [this.#receiver])];
    this.#senders = [];
    this.#receiver = undefined;
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => {
                resolve();
              });
            } catch {
              resolve(); // never bound, or already closed
            }
          }),
      ),
    );
  }

  async #openSender(local: string | undefined): Promise<void> {
    const sender = createSocket({ type: 'udp4' });
    sender.on('error', (error) => {
      this.#events.unavailable('sending', error);
    });
    try {
      await bind(sender, { port: 0, ...(local === undefined ? {} : { address: local }) });
      sender.unref();
      if (local !== undefined) sender.setMulticastInterface(local);
      sender.setMulticastTTL(this.#settings.ttl);
      sender.setMulticastLoopback(this.#settings.loopback);
      this.#senders.push(sender);
    } catch (error) {
      sender.close();
      this.#events.unavailable(`sending from ${local ?? 'the default interface'}`, error);
    }
  }

  /** Best effort: the kernel caps the size at net.core.rmem_max and says nothing. */
  #growReceiveBuffer(receiver: Socket): void {
    const wanted = this.#settings.receiveBufferBytes;
    if (wanted === 0) return;
    try {
      receiver.setRecvBufferSize(wanted);
    } catch {
      // Not fatal: the default buffer works, bursts are paced to fit it.
    }
  }
}

function bind(socket: Socket, options: { port: number; address?: string; exclusive?: boolean }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
