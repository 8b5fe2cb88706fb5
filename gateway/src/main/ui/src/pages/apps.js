// The apps a user may see: loaded whole once (pages of 1,000 from /v1/apps), then kept current app by
// app — an event names its app, and only that app is read again — so a list of 1,000 apps costs one
// load, not one per event. Search, team and status filters work on what is loaded; 50 rows a page
// are rendered.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { appPath } from '../api.js';
import { Badge, html, Link, Loading, Problem, SETTLE_MS, useBerth } from '../ui.js';

const PAGE = 50;

export function appOfEvent(event) {
  return event?.data?.appId || (event?.subject?.startsWith('apps/') ? `/${event.subject.slice(5)}` : null);
}

const SHOWN_MARK = 'berth:apps-shown';

export function AppsPage() {
  const { api, live, may } = useBerth();
  const [apps, setApps] = useState(null);
  const [error, setError] = useState(null);
  const [search, setSearch] = useState('');
  const [team, setTeam] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(0);

  useEffect(() => {
    let gone = false;
    const pending = new Set();
    const settling = new Set();
    let timer = null;
    let settle = null;
    const refresh = async ids => {
      for (const id of ids) {
        try {
          const app = await api.get(`/v1/apps/${appPath(id)}`);
          if (!gone) setApps(all => all && upsert(all, app));
        } catch (e) {
          if (!gone && e.status === 404) setApps(all => all && all.filter(a => a.id !== id));
        }
      }
    };
    const refreshPending = () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      // Read once more when the burst is over (ui.js, SETTLE_MS): the view may lag its events.
      ids.forEach(id => settling.add(id));
      clearTimeout(settle);
      settle = setTimeout(() => {
        const again = [...settling];
        settling.clear();
        refresh(again);
      }, SETTLE_MS);
      return refresh(ids);
    };
    const off = live.subscribe(event => {
      const id = appOfEvent(event);
      if (!id) return;
      pending.add(id);
      timer = timer || setTimeout(refreshPending, 150);
    });
    api.all('/v1/apps', 'apps').then(all => !gone && setApps(all), e => !gone && setError(e));
    return () => { gone = true; off(); clearTimeout(timer); clearTimeout(settle); };
  }, []);

  // A mark for measuring (UiBench, docs/benchmarks.md): the list first shown with every app loaded.
  useEffect(() => {
    if (apps && !performance.getEntriesByName(SHOWN_MARK).length) performance.mark(SHOWN_MARK);
  }, [apps]);

  const teams = useMemo(() => [...new Set((apps || []).map(a => teamOf(a.id)).filter(Boolean))].sort(), [apps]);
  const shown = useMemo(() => (apps || []).filter(a =>
    (!search || a.id.toLowerCase().includes(search.toLowerCase()))
    && (!team || teamOf(a.id) === team)
    && (!status || a.status === status)), [apps, search, team, status]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages - 1);

  return html`<section>
    <div class="title">
      <h1>Apps</h1>
      ${may('change-apps') ? html`<a class="button" href="#/new">New app</a>` : null}
    </div>
    <div class="filters" role="search">
      <input type="search" placeholder="Search by id" aria-label="search apps by id" value=${search}
        onInput=${e => { setSearch(e.target.value); setPage(0); }} />
      <select aria-label="team" value=${team} onChange=${e => { setTeam(e.target.value); setPage(0); }}>
        <option value="">every team</option>
        ${teams.map(t => html`<option value=${t}>${t}</option>`)}
      </select>
      <select aria-label="status" value=${status} onChange=${e => { setStatus(e.target.value); setPage(0); }}>
        <option value="">any status</option>
        ${['RUNNING', 'DEPLOYING', 'BACKOFF', 'CRASH_LOOPING', 'DELETING'].map(s => html`<option value=${s}>${s.replace('_', ' ').toLowerCase()}</option>`)}
      </select>
      <span class="count">${apps ? `${shown.length} of ${apps.length}` : ''}</span>
    </div>
    <${Problem} error=${error} />
    ${!apps && !error ? html`<${Loading} what="apps" />` : null}
    ${apps ? html`<table class="list apps">
      <thead><tr><th>App</th><th>Team</th><th>Status</th><th title="healthy / running / wanted">Instances</th><th>Version</th><th>Why</th></tr></thead>
      <tbody>
        ${shown.slice(current * PAGE, (current + 1) * PAGE).map(app => html`<${AppRow} key=${app.id} app=${app} />`)}
        ${shown.length === 0 ? html`<tr><td colspan="6" class="empty">${apps.length ? 'No app matches.' : 'No apps yet.'}</td></tr>` : null}
      </tbody>
    </table>
    ${pages > 1 ? html`<nav class="pager" aria-label="pages">
      <button disabled=${current === 0} onClick=${() => setPage(current - 1)}>Previous</button>
      <span>page ${current + 1} of ${pages}</span>
      <button disabled=${current >= pages - 1} onClick=${() => setPage(current + 1)}>Next</button>
    </nav>` : null}` : null}
  </section>`;
}

/** The team an app belongs to: the first segment of an id of two or more (/team-a/web); none at the root. */
export function teamOf(appId) {
  const segments = appId.split('/').filter(Boolean);
  return segments.length > 1 ? segments[0] : '';
}

function upsert(all, app) {
  const at = all.findIndex(a => a.id === app.id);
  if (at < 0) return [...all, app].sort((a, b) => a.id.localeCompare(b.id));
  const next = all.slice();
  next[at] = app;
  return next;
}

/** Why an app is not simply running, in words: its crash loop, its backoff, or why instances wait. */
export function whyOf(app) {
  if (app.status === 'CRASH_LOOPING' && app.lastTaskFailure) {
    return `${app.failuresInARow} failures in a row; last: ${app.lastTaskFailure.message || app.lastTaskFailure.state}`;
  }
  if (app.status === 'BACKOFF' && app.delayedUntil) return `waiting to relaunch until ${new Date(app.delayedUntil).toLocaleTimeString()}`;
  if (app.waiting > 0) {
    const reasons = Object.entries(app.unplaced || {}).map(([why, n]) => `${n} × ${why}`).join('; ');
    return `${app.waiting} waiting${reasons ? `: ${reasons}` : ''}`;
  }
  return '';
}

function AppRow({ app }) {
  return html`<tr>
    <td><${Link} to=${`/app${app.id}`}>${app.id}<//></td>
    <td data-label="team">${teamOf(app.id) || '–'}</td>
    <td><${Badge} state=${app.status} /></td>
    <td class="num" data-label="healthy / running / wanted">${app.tasksHealthy} / ${app.tasksRunning} / ${app.instances}</td>
    <td class="num" data-label="version">${app.version}</td>
    <td class="why">${whyOf(app)}</td>
  </tr>`;
}
