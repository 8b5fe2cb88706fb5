// The small pieces every page is built from: html (htm bound to Preact), the hooks that load data and
// reload it when a live event concerns it, and the common elements (an error as the problem says it,
// a state badge, a bar of use, a confirmation).
import { h, createContext } from 'preact';
import { useContext, useEffect, useRef, useState, useCallback } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

/** What every page needs: the API, the live events, who the user is (GET /v1/me), and navigation. */
export const Berth = createContext(null);

export function useBerth() {
  return useContext(Berth);
}

/**
 * How long after the last event of a burst a page reads again what the burst concerned. The gateway
 * reads the events (berth.events) and the state it answers from (berth.apps, berth.tasks, …) with
 * separate consumers, so an event can reach the page a moment before a GET shows its change; without
 * this second read, the last event of a burst could leave a page showing the state just before it.
 */
export const SETTLE_MS = 1500;

/**
 * Loads with {@code load(api)} and loads again when a live event passes {@code concerns} (at most every
 * 250 ms, so a burst of events costs one reload, and once more SETTLE_MS after the burst). Returns
 * {data, error, loading, reload}.
 */
export function useLive(load, deps, concerns = () => true) {
  const { api, live } = useBerth();
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await load(api);
      if (mine === generation.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState(s => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    setState({ data: null, error: null, loading: true });
    reload();
    let timer = null;
    let settle = null;
    const unsubscribe = live.subscribe(event => {
      if (!concerns(event)) return;
      // Read once more when the burst is over: see SETTLE_MS.
      clearTimeout(settle);
      settle = setTimeout(reload, SETTLE_MS);
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, 250);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
      clearTimeout(settle);
      generation.current++;
    };
  }, [reload]);
  return { ...state, reload };
}

/** Runs a change (a POST, a scale…) and keeps its error to show; returns [run, busy, error, clear]. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (work) => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, () => setError(null)];
}

export function Problem({ error }) {
  if (!error) return null;
  return html`<div class="problem" role="alert">
    <strong>${error.title || 'Something went wrong'}</strong>
    ${error.detail ? html`<p>${error.detail}</p>` : error.title ? null : html`<p>${String(error.message || error)}</p>`}
    ${error.errors?.length ? html`<ul>${error.errors.map(e => html`<li><code>${e.field || e.path}</code>: ${e.message}</li>`)}</ul>` : null}
  </div>`;
}

export function Loading({ what }) {
  return html`<p class="loading">Loading ${what}…</p>`;
}

const STATE_CLASS = {
  RUNNING: 'ok', HEALTHY: 'ok', ACTIVE: 'ok', FINISHED: 'ok', SUCCEEDED: 'ok', ATTACHED: 'ok', UP: 'ok',
  STAGING: 'busy', STARTING: 'busy', DEPLOYING: 'busy', KILLING: 'busy', DRAINING: 'warn', PAUSED: 'warn',
  WAITING: 'warn', BACKOFF: 'warn', DELAYED: 'warn', SUSPENDED: 'idle', RELEASED: 'idle', DELETING: 'warn',
  FAILED: 'bad', LOST: 'bad', KILLED: 'idle', CRASH_LOOPING: 'bad', UNHEALTHY: 'bad', UNREACHABLE: 'bad',
  ROLLED_BACK: 'warn', SUPERSEDED: 'idle', FENCED: 'warn', DELETED: 'idle',
};

export function Badge({ state, title }) {
  const text = String(state || 'UNKNOWN');
  return html`<span class=${`badge ${STATE_CLASS[text] || 'idle'}`} title=${title || ''}>${text.replace(/_/g, ' ').toLowerCase()}</span>`;
}

export function Bar({ used, total, label }) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const percent = Math.round(share * 100);
  return html`<div class="bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent}
      aria-label=${label} title=${`${label}: ${fmt(used)} of ${fmt(total)}`}>
    <div class=${`fill ${share > 0.9 ? 'bad' : share > 0.7 ? 'warn' : 'ok'}`} style=${`width:${percent}%`}></div>
    <span>${label} ${percent}%</span>
  </div>`;
}

export function fmt(n) {
  if (n === undefined || n === null) return '–';
  return Number.isInteger(n) ? String(n) : Number(n).toFixed(2);
}

/** A time as "12 s ago" with the exact time on hover. */
export function Ago({ at }) {
  if (!at) return html`<span>–</span>`;
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  const text = seconds < 60 ? `${seconds} s ago` : seconds < 3600 ? `${Math.round(seconds / 60)} min ago`
    : seconds < 86400 ? `${Math.round(seconds / 3600)} h ago` : `${Math.round(seconds / 86400)} d ago`;
  return html`<time datetime=${at} title=${at}>${text}</time>`;
}

export function Link({ to, children, ...rest }) {
  return html`<a href=${`#${to}`} ...${rest}>${children}</a>`;
}

/** A button that asks first: the question names exactly what will happen. */
export function ConfirmButton({ question, onConfirm, children, danger, disabled }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return html`<button class=${danger ? 'danger' : ''} disabled=${disabled} onClick=${() => setAsking(true)}>${children}</button>`;
  }
  return html`<span class="confirm" role="group" aria-label="confirm">
    <span>${question}</span>
    <button class=${danger ? 'danger' : ''} onClick=${() => { setAsking(false); onConfirm(); }}>Yes</button>
    <button onClick=${() => setAsking(false)}>No</button>
  </span>`;
}
