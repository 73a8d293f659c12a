// Shared by the late-joiner fixtures and tests (plain JavaScript: fixtures run in a bare Node
// process). Follows each publisher's stream as a subscriber that joined it late receives it.

// Records `message` in `perPublisher` (keyed by publisher id) and returns what is wrong with it
// (undefined: nothing): each message must follow the one before without a gap or a duplicate,
// gaps allowed only as counted in `message.lost`, and keep its publisher's topic.
//
// The first message may count a loss too: under 'latest', a subscriber lapped between its join
// and its first read counts what it lost from where it joined (the oldest message retained at
// its join, or the one the publisher's welcome names over TCP). So the stream is taken to start
// at the first message's seq less its `lost` (`first`), and received + lost = last + 1 - first.
export function followStream(perPublisher, message) {
  let entry = perPublisher[message.publisherId];
  if (entry === undefined) {
    const first = message.seq - message.lost;
    entry = { topic: message.topic, first, last: first - 1, received: 0, lost: 0, transports: [], head: [] };
    perPublisher[message.publisherId] = entry;
  }
  const expected = entry.last + 1 + message.lost;
  const problem =
    message.seq !== expected
      ? `got ${message.seq} after ${entry.last} with ${message.lost} lost`
      : message.topic !== entry.topic
        ? `topic ${message.topic} after ${entry.topic}`
        : undefined;
  if (!entry.transports.includes(message.transport)) entry.transports.push(message.transport);
  if (entry.head.length < 12) entry.head.push(message.seq);
  entry.last = message.seq;
  entry.lost += message.lost;
  entry.received++;
  return problem;
}
