// One app: what it is doing and why, its tasks (node, address, state, health, restarts, last failure,
// logs), its identities' volumes with their fencing epochs and attach history for a stateful app, the tasks that ended,
// its versions (any two compared, any one rolled back to), and the changes the user's role allows.
import { useState } from 'preact/hooks';
import { appPath } from '../api.js';
import { Ago, Badge, ConfirmButton, html, Link, Loading, Problem, useAction, useBerth, useLive } from '../ui.js';
import { appOfEvent, whyOf } from './apps.js';
import { lineDiff } from './diff.js';

export function AppPage({ appId }) {
  const { may } = useBerth();
  const concerns = event => appOfEvent(event) === appId;
  const app = useLive(api => api.get(`/v1/apps/${appPath(appId)}`), [appId], concerns);
  const isVolumeEvent = event => concerns(event) || event.type?.startsWith('dev.berth.volume.');
  const volumes = useLive(api => api.all('/v1/volumes', 'volumes', { app: appId }), [appId], isVolumeEvent);
  const ended = useLive(api => api.all('/v1/tasks', 'tasks', { app: appId, state: 'terminal' }), [appId], concerns);
  if (app.loading && !app.data) return html`<${Loading} what=${appId} />`;
  if (!app.data) return html`<section><h1>${appId}</h1><${Problem} error=${app.error} /><p><a href="#/apps">All apps</a></p></section>`;
  const a = app.data;
  return html`<section>
    <div class="title">
      <h1>${a.id}</h1>
      <${Badge} state=${a.status} />
      <span class="muted">version ${a.version}</span>
    </div>
    ${whyOf(a) ? html`<p class="why-line">${whyOf(a)}</p>` : null}
    <${Problem} error=${app.error} />
    ${may('change-apps') ? html`<${AppActions} app=${a} volumes=${volumes.data || []} onChanged=${app.reload} />` : null}
    <h2>Tasks</h2>
    <${Tasks} tasks=${a.tasks} canKill=${may('change-apps')} />
    ${(volumes.data || []).length ? html`<h2>Volumes</h2><${Volumes} volumes=${volumes.data} isVolumeEvent=${isVolumeEvent} />` : null}
    <h2>Ended tasks</h2>
    <${EndedTasks} tasks=${ended.data} />
    <h2>Versions</h2>
    <${Versions} app=${a} canRollBack=${may('change-apps')} />
    <h2>Definition</h2>
    <pre class="json">${JSON.stringify(definitionOf(a), null, 2)}</pre>
  </section>`;
}

const OBSERVED = ['version', 'status', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'tasksStaged', 'tasks',
  'waiting', 'unplaced', 'delayedUntil', 'delay', 'volumes', 'lastTaskFailure', 'failuresInARow', 'change', 'occurredAt',
  'deleting', 'wipe'];

/** The definition alone: what an app (or a version) shows, without what Berth observed. */
export function definitionOf(app) {
  const definition = { ...app };
  OBSERVED.forEach(key => delete definition[key]);
  return definition;
}

function AppActions({ app, volumes, onChanged }) {
  const { api, may } = useBerth();
  const [run, busy, error] = useAction();
  const [instances, setInstances] = useState(String(app.instances));
  const path = `/v1/apps/${appPath(app.id)}`;
  const live = volumes.filter(v => v.state !== 'DELETED').map(v => v.id);
  const act = work => run(async () => { await work(); onChanged(); });
  return html`<div class="actions">
    <form class="inline" onSubmit=${e => { e.preventDefault(); act(() => api.patch(path, { instances: Number(instances) })); }}>
      <label>Instances <input type="number" min="0" max="10000" value=${instances} aria-label="instances"
        onInput=${e => setInstances(e.target.value)} /></label>
      <button type="submit" disabled=${busy}>Scale</button>
    </form>
    <a class="button" href=${`#/edit${app.id}`}>Edit</a>
    <${ConfirmButton} question=${`Replace every instance of ${app.id} with a fresh task?`}
      onConfirm=${() => act(() => api.post(`${path}/restart`))} disabled=${busy}>Restart<//>
    <${ConfirmButton} danger question=${`Delete ${app.id}? Its volumes are released and kept.`}
      onConfirm=${() => run(async () => { await api.delete(path); location.hash = '#/apps'; })} disabled=${busy}>Delete<//>
    ${may('wipe-volumes') && live.length ? html`<${ConfirmButton} danger
      question=${`Delete ${app.id} and destroy its volumes ${live.join(', ')} with all their data?`}
      onConfirm=${() => run(async () => { await api.delete(path, { wipe: true }); location.hash = '#/apps'; })}
      disabled=${busy}>Delete and wipe volumes<//>` : null}
    <${Problem} error=${error} />
  </div>`;
}

function address(task) {
  if (!task.host || !task.ports?.length) return task.host || '–';
  return task.ports.map(port => html`<a href=${`http://${task.host}:${port}/`} target="_blank" rel="noopener">${task.host}:${port}</a> `);
}

function health(task) {
  const results = task.healthCheckResults || [];
  if (!results.length) return html`<span class="muted">no checks</span>`;
  const alive = results.every(r => r.alive);
  return html`<span title=${results.map(r => r.lastResult || '').join('\n')}><${Badge} state=${alive ? 'HEALTHY' : 'UNHEALTHY'} /></span>`;
}

function failure(f) {
  if (!f) return '';
  return `${f.state?.toLowerCase() || ''}${f.exitCode !== null && f.exitCode !== undefined ? ` (exit ${f.exitCode})` : ''}: ${f.message || ''}`;
}

function Tasks({ tasks, canKill }) {
  const { api } = useBerth();
  const [run, busy, error] = useAction();
  if (!tasks?.length) return html`<p class="muted">No tasks.</p>`;
  return html`<${Problem} error=${error} />
  <table class="list tasks">
    <thead><tr><th>Task</th><th>Instance</th><th>Node</th><th>Address</th><th>State</th><th>Health</th><th>Restarts</th><th>Last failure</th><th></th></tr></thead>
    <tbody>${tasks.map(t => html`<tr key=${t.id}>
      <td class="id" title=${t.id}>${t.id}</td>
      <td data-label="instance">${t.identity || t.instance}</td>
      <td data-label="node">${t.node || '–'}</td>
      <td data-label="address">${address(t)}</td>
      <td><${Badge} state=${t.state} title=${t.reason || ''} /></td>
      <td data-label="health">${health(t)}</td>
      <td class="num" data-label="restarts">${t.restarts ?? 0}</td>
      <td class="why" data-label=${t.lastFailure ? 'last failure' : null}>${failure(t.lastFailure)}</td>
      <td class="row-actions">
        <${Link} to=${`/logs/${t.id}`}>logs<//>
        ${canKill ? html` <button class="quiet" disabled=${busy} onClick=${() => run(() => api.post(`/v1/tasks/${encodeURIComponent(t.id)}/kill`))}>kill</button>` : null}
      </td>
    </tr>`)}</tbody>
  </table>`;
}

function Volumes({ volumes, isVolumeEvent }) {
  const [open, setOpen] = useState({});
  const toggle = id => setOpen(o => ({ ...o, [id]: !o[id] }));
  return html`<table class="list volumes">
    <thead><tr><th>Volume</th><th>Identity</th><th>Type</th><th>Node</th><th>Attached to</th><th>State</th><th title="raised at every attachment: a fenced writer's epoch is behind">Fencing epoch</th><th></th></tr></thead>
    <tbody>${volumes.map(v => html`<tr key=${v.id}>
      <td>${v.id}</td><td data-label="identity">${v.identity || '–'}</td><td data-label="type">${v.type?.toLowerCase()}</td>
      <td data-label="node">${v.nodeId || '–'}</td>
      <td data-label="attached to">${v.attachedNodeId ? `${v.attachedNodeId}${v.attachedTaskId ? ` (${v.attachedTaskId})` : ''}` : '–'}</td>
      <td><${Badge} state=${v.state} /></td><td class="num epoch" data-label="fencing epoch">${v.fencingEpoch}</td>
      <td><button class="quiet" aria-expanded=${!!open[v.id]} aria-controls=${`history-${v.id}`}
        onClick=${() => toggle(v.id)}>${open[v.id] ? 'hide history' : 'history'}</button></td>
    </tr>${open[v.id] ? html`<tr class="history-row" key=${`${v.id}-history`}><td colspan="8">
      <${VolumeHistory} volume=${v} isVolumeEvent=${isVolumeEvent} /></td></tr>` : null}`)}</tbody>
  </table>`;
}

/** Who held a volume, with which epoch, and why it moved: the volume service's audit, newest first. */
function VolumeHistory({ volume, isVolumeEvent }) {
  const history = useLive(api => api.get(`/v1/volumes/${encodeURIComponent(volume.id)}/history`),
    [volume.id, volume.fencingEpoch, volume.state], isVolumeEvent);
  if (!history.data) return history.error ? html`<${Problem} error=${history.error} />` : html`<${Loading} what="history" />`;
  const rows = [...history.data].reverse();
  return html`<table class="list history" id=${`history-${volume.id}`} aria-label=${`history of ${volume.id}`}>
    <thead><tr><th>When</th><th>What</th><th>State</th><th>Node</th><th>Task</th><th>Epoch</th><th>Why</th></tr></thead>
    <tbody>${rows.map(r => html`<tr key=${r.id}>
      <td><${Ago} at=${r.at} /></td><td>${r.kind?.toLowerCase().replaceAll('_', ' ')}</td>
      <td>${r.fromState && r.fromState !== r.toState ? `${r.fromState.toLowerCase()} → ` : ''}${r.toState?.toLowerCase() || ''}</td>
      <td>${r.nodeId || '–'}</td><td class="id" title=${r.taskId || ''}>${r.taskId || '–'}</td>
      <td class="num">${r.fencingEpoch}</td><td class="why">${r.reason || ''}</td>
    </tr>`)}</tbody>
  </table>`;
}

function EndedTasks({ tasks }) {
  if (!tasks) return html`<${Loading} what="ended tasks" />`;
  if (!tasks.length) return html`<p class="muted">None yet.</p>`;
  return html`<table class="list tasks">
    <thead><tr><th>Task</th><th>Instance</th><th>Node</th><th>State</th><th>Why</th><th>Ended</th><th></th></tr></thead>
    <tbody>${tasks.map(t => html`<tr key=${t.id}>
      <td class="id" title=${t.id}>${t.id}</td><td data-label="instance">${t.identity || t.instance}</td>
      <td data-label="node">${t.node || '–'}</td>
      <td><${Badge} state=${t.state} /></td>
      <td class="why">${t.reason || ''}${t.exitCode !== null && t.exitCode !== undefined ? ` (exit ${t.exitCode})` : ''}</td>
      <td><${Ago} at=${t.endedAt} /></td><td><${Link} to=${`/logs/${t.id}`}>logs<//></td>
    </tr>`)}</tbody>
  </table>`;
}

function Versions({ app, canRollBack }) {
  const { api } = useBerth();
  const versions = useLive(a => a.all(`/v1/apps/${appPath(app.id)}/versions`, 'versions'), [app.id, app.version], () => false);
  const [left, setLeft] = useState(null);
  const [right, setRight] = useState(null);
  const [diff, setDiff] = useState(null);
  const [run, busy, error] = useAction();
  if (!versions.data) return html`<${Problem} error=${versions.error} />`;
  const compare = () => run(async () => {
    const [a, b] = await Promise.all([left, right].map(v => api.get(`/v1/apps/${appPath(app.id)}/versions/${v}`)));
    setDiff(lineDiff(JSON.stringify(definitionOf(a), null, 2), JSON.stringify(definitionOf(b), null, 2)));
  });
  return html`<div>
    <table class="list versions">
      <thead><tr><th>Version</th><th>Change</th><th>When</th><th title="pick two to compare">Compare</th><th></th></tr></thead>
      <tbody>${versions.data.map(v => html`<tr key=${v.version}>
        <td class="num">${v.version}${v.version === app.version ? ' (current)' : ''}</td><td>${v.change}</td><td><${Ago} at=${v.occurredAt} /></td>
        <td><label><input type="radio" name="left" checked=${left === v.version} onChange=${() => setLeft(v.version)} /> from</label>
          <label><input type="radio" name="right" checked=${right === v.version} onChange=${() => setRight(v.version)} /> to</label></td>
        <td>${canRollBack && v.version !== app.version ? html`<${ConfirmButton} question=${`Bring back version ${v.version} as a new version?`}
          onConfirm=${() => run(() => api.post(`/v1/apps/${appPath(app.id)}/rollback`, undefined, { version: v.version }))}>Roll back to ${v.version}<//>` : null}</td>
      </tr>`)}</tbody>
    </table>
    <button disabled=${!left || !right || left === right || busy} onClick=${compare}>Compare ${left || '…'} with ${right || '…'}</button>
    <${Problem} error=${error} />
    ${diff ? html`<pre class="diff" aria-label="difference">${diff.map(line => html`<span class=${line.kind}>${line.kind === 'add' ? '+ ' : line.kind === 'remove' ? '- ' : '  '}${line.text}\n</span>`)}</pre>` : null}
  </div>`;
}
