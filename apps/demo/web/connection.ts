// The page's WebSocket to the dashboard process: reconnects with backoff when it goes away,
// replaces a connection that went quiet, and hands every message to the page state.
import type { ServerMessage } from '../src/dashboard-protocol.js';
import { applyMessage, STALE_AFTER_MS, state } from './page-state.js';

let socket: WebSocket | undefined;
let retryMs = 500;

/** Connects, and keeps connected from now on; `changed` is called whenever the state changed. */
export function startConnection(changed: () => void): void {
  // A connection that went quiet (the dashboard process froze or the network dropped) is
  // replaced by a new one.
  setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN && Date.now() - state.lastMessageAt > STALE_AFTER_MS) socket.close();
    changed();
  }, 1000);
  connect(changed);
}

function connect(changed: () => void): void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const current = new WebSocket(url);
  socket = current;
  current.addEventListener('open', () => {
    retryMs = 500;
    state.connected = true;
    state.lastMessageAt = Date.now();
    changed();
  });
  current.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch {
      return;
    }
    state.lastMessageAt = Date.now();
    applyMessage(message);
    changed();
  });
  current.addEventListener('close', () => {
    if (socket !== current) return;
    state.connected = false;
    changed();
    setTimeout(() => {
      connect(changed);
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}
