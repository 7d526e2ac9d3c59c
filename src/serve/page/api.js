// api.js — talking to gptwalk serve: one JSON request per view, each with a time-out, and one
// status line that says what is running and what went wrong.

// A request the server has not answered in this long is given up (the server bounds every
// request's work, so this only fires on a machine far too slow, or a server gone away).
const TIMEOUT_MS = 60000;

let running = 0;  // requests in flight, for the status line

function status(text, kind = '') {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = kind;
}

// Shows an error in the status line (and keeps it there until the next request starts).
export function showError(err) {
  status(err.message || String(err), 'error');
}

// POSTs body as JSON to /api/<route> (GET when body is undefined) and returns the parsed
// record; throws an Error whose message is the server's one-line reason.
export async function api(route, body) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  running++;
  status(`computing ${route}…`, 'busy');
  try {
    const init = body === undefined ? {method: 'GET'}
      : {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)};
    let res;
    try {
      res = await fetch(`/api/${route}`, {...init, signal: ctrl.signal});
    } catch (e) {
      throw new Error(e.name === 'AbortError'
        ? `${route}: no answer within ${TIMEOUT_MS / 1000} s; try fewer steps or a shorter prompt`
        : `${route}: the server cannot be reached (is gptwalk serve still running?)`);
    }
    const text = await res.text();
    let record;
    try {
      record = JSON.parse(text);
    } catch (e) {
      throw new Error(`${route}: HTTP ${res.status}, an answer that is not JSON`);
    }
    if (!res.ok) throw new Error(`${route}: ${record.error || 'HTTP ' + res.status}`);
    return record;
  } finally {
    clearTimeout(timer);
    running--;
    if (running === 0 && document.getElementById('status').className === 'busy') status('');
  }
}
