// Types for @seamless/test-support/join-check (plain JavaScript, shared with the fixtures that
// run in bare child processes).
declare module '@seamless/test-support/join-check' {
  import type { Message } from '@seamless/transport';

  /** One publisher's stream as the joining subscriber received it. */
  export interface FollowedStream {
    readonly topic: string;
    /** Where the subscriber joined the stream: the first message's seq less what it counts as lost. */
    readonly first: number;
    readonly last: number;
    readonly received: number;
    readonly lost: number;
    readonly transports: string[];
    /** The seq of the first 12 messages received. */
    readonly head: number[];
  }

  /** Records `message` in `perPublisher`; what is wrong with it, or undefined. */
  export function followStream(perPublisher: Record<string, FollowedStream>, message: Message): string | undefined;
}
