// The UI's entry: reads /ui/config.json, signs in, asks the gateway who the user is, starts the live
// event stream, and renders the page the address's #fragment names. Every page only calls the /v1
// API with the user's token; the gateway's rules decide, and the UI hides what /v1/me says the user
// may not do.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signIn } from './auth.js';
import { Api } from './api.js';
import { LiveEvents } from './live.js';
import { Berth, html, Problem } from './ui.js';
import { AppsPage } from './pages/apps.js';
import { AppPage } from './pages/app.js';
import { EditorPage } from './pages/editor.js';
import { DeploymentsPage } from './pages/deployments.js';
import { QueuePage } from './pages/queue.js';
import { NodesPage } from './pages/nodes.js';
import { EventsPage } from './pages/events.js';
import { LogsPage } from './pages/logs.js';

const SECTIONS = [
  ['apps', 'Apps'], ['deployments', 'Deployments'], ['queue', 'Queue'], ['nodes', 'Nodes'], ['events', 'Events'],
];

function route() {
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || 'apps';
  const [section, ...rest] = path.split('/');
  return { section, rest: rest.join('/') };
}

function page({ section, rest }) {
  switch (section) {
    case 'apps': return html`<${AppsPage} />`;
    case 'app': return html`<${AppPage} appId=${`/${rest}`} />`;
    case 'new': return html`<${EditorPage} />`;
    case 'edit': return html`<${EditorPage} appId=${`/${rest}`} />`;
    case 'deployments': return html`<${DeploymentsPage} />`;
    case 'queue': return html`<${QueuePage} />`;
    case 'nodes': return html`<${NodesPage} />`;
    case 'events': return html`<${EventsPage} />`;
    case 'logs': return html`<${LogsPage} taskId=${rest} />`;
    default: return html`<${Problem} error=${{ title: 'No such page', detail: `#/${section} is not a page of Berth's UI` }} />`;
  }
}

function Shell({ berth }) {
  const [where, setWhere] = useState(route());
  const [liveState, setLiveState] = useState('connecting');
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    const off = berth.live.onState(setLiveState);
    return () => { removeEventListener('hashchange', onHash); off(); };
  }, []);
  const current = where.section === 'app' || where.section === 'new' || where.section === 'edit' || where.section === 'logs'
    ? 'apps' : where.section;
  return html`<${Berth.Provider} value=${berth}>
    <header class="top">
      <a class="brand" href="#/apps">Berth</a>
      <nav aria-label="sections">
        ${SECTIONS.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${current === id ? 'page' : null}>${label}</a>`)}
      </nav>
      <span class=${`live ${liveState}`} title="the live event stream" aria-live="polite">${liveState === 'live' ? '● live' : `○ ${liveState}`}</span>
      <span class="who" title=${berth.me.teams.length ? `teams: ${berth.me.teams.join(', ')}` : 'no team'}>
        ${berth.me.name} · ${berth.me.role.toLowerCase()}
      </span>
      ${berth.signOut ? html`<button class="quiet" onClick=${berth.signOut}>Sign out</button>` : null}
    </header>
    <main>${page(where)}</main>
  <//>`;
}

async function start() {
  const root = document.getElementById('app');
  // The "Loading Berth…" placeholder is not Preact's: render would keep it beside the UI.
  const clear = () => { root.textContent = ''; };
  try {
    const config = await (await fetch('/ui/config.json')).json();
    const session = await signIn(config);
    const api = new Api(session);
    const me = await api.get('/v1/me');
    const live = new LiveEvents(session).start();
    const may = what => me.may.includes(what);
    const berth = { api, live, me, may, signOut: config.auth ? () => session.signOut() : null };
    clear();
    render(html`<${Shell} berth=${berth} />`, root);
  } catch (error) {
    clear();
    render(html`<main><${Problem} error=${error} /><p><a href="/ui/">Try again</a></p></main>`, root);
  }
}

start();
