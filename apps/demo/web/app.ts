// The dashboard page's script: keeps a WebSocket to the dashboard process (reconnecting when it
// goes away), applies the snapshot and the updates it sends, and renders at most once a frame.
// tsup bundles it, and the modules it imports, into dist/web/app.js.
import { startConnection } from './connection.js';
import { scheduleRender } from './render.js';

startConnection(scheduleRender);
