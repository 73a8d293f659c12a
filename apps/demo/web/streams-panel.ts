// The streams table of the dashboard page: one row per stream with its state, topic (or
// pattern, with how many topics it matched), route, transport, rate, end-to-end latency,
// losses, and what came from the publishers' history.
import type { StreamRow } from '../src/dashboard-protocol.js';
import { element, setClass, setText } from './dom.js';
import * as format from './format.js';
import { setTransport } from './transport-badge.js';

const streamRows = new Map<string, HTMLTableRowElement>();
// A topic with a wildcard level: `*` (one level) or `>` (the rest), between `.` or `/`.
const PATTERN = /(^|[./])[*>]($|[./])/;

/** Renders the streams table, adding a row for each stream seen for the first time. */
export function renderStreams(streams: readonly StreamRow[]): void {
  const body = element('streams').querySelector('tbody');
  if (body === null) return;
  for (const stream of streams) {
    let row = streamRows.get(stream.id);
    if (row === undefined) {
      row = document.createElement('tr');
      row.dataset['stream'] = stream.id;
      row.innerHTML =
        `<td><span class="state-dot"></span><span class="topic"></span><span class="topics muted"></span></td><td class="route muted"></td>` +
        `<td><span class="badge transport"></span></td><td class="num rate"></td><td class="num p50"></td>` +
        `<td class="num p99"></td><td class="num max"></td><td class="num lost"></td><td class="num history"></td>`;
      body.append(row);
      streamRows.set(stream.id, row);
    }
    const cell = (name: string): Element => row.querySelector(`.${name}`) ?? row;
    const dot = cell('state-dot');
    setClass(dot, 'live', stream.state === 'live');
    setClass(dot, 'idle', stream.state === 'idle');
    setText(cell('topic'), stream.topic);
    // A pattern's row stands for every topic it matched (md.>: one per symbol).
    setText(cell('topics'), PATTERN.test(stream.topic) ? `${format.integer(stream.topics)} topic${stream.topics === 1 ? '' : 's'}` : '');
    setText(cell('route'), `${stream.from} → ${stream.to}`);
    setTransport(cell('transport'), stream.transports);
    row.title =
      `${stream.reason} · ${format.integer(stream.publishers)} publisher${stream.publishers === 1 ? '' : 's'}` +
      ` · ${format.integer(stream.total)} received, ${format.integer(stream.fromHistory)} of them from history` +
      (stream.latency === null ? '' : ` · p90 ${format.latency(stream.latency.p90)} · p99.9 ${format.latency(stream.latency.p999)}`);
    setText(cell('rate'), stream.state === 'down' ? '—' : format.rate(stream.rate));
    const latency = stream.latency;
    for (const key of ['p50', 'p99', 'max'] as const) setText(cell(key), latency === null ? '—' : format.latency(latency[key]));
    setText(cell('lost'), format.integer(stream.lost));
    setText(cell('history'), format.integer(stream.fromHistory));
  }
}
