// Deployments: each roll with its steps and progress (new healthy / running, old still running), the
// reason it failed or was rolled back, and promote / roll back for a paused canary.
import { Ago, Badge, ConfirmButton, html, Link, Loading, Problem, useAction, useBerth, useLive } from '../ui.js';

export function DeploymentsPage() {
  const { api, may } = useBerth();
  const list = useLive(a => a.page('/v1/deployments', 'deployments', { limit: 200 }), [],
    event => event.type?.startsWith('dev.berth.deployment.') || event.type?.startsWith('dev.berth.task.'));
  const [run, busy, error] = useAction();
  if (!list.data) return list.error ? html`<${Problem} error=${list.error} />` : html`<${Loading} what="deployments" />`;
  const act = (id, what) => run(async () => { await api.post(`/v1/deployments/${encodeURIComponent(id)}/${what}`); list.reload(); });
  return html`<section>
    <div class="title"><h1>Deployments</h1><span class="count">${list.data.total} kept</span></div>
    <${Problem} error=${error || list.error} />
    ${list.data.items.length === 0 ? html`<p class="muted">No deployments yet: changing an app's definition starts one.</p>` : null}
    ${list.data.items.map(d => html`<article class="card deployment" key=${d.id}>
      <header>
        <${Link} to=${`/app${d.appId}`}>${d.appId}<//>
        <span>version ${d.fromVersion} → ${d.toVersion}</span>
        <${Badge} state=${d.state} />
        <span class="muted">${d.cause || ''} · started <${Ago} at=${d.startedAt} /></span>
      </header>
      ${d.reason ? html`<p class="why-line">${d.reason}</p>` : null}
      <p class="progress">${d.progress ? `${d.progress.newHealthy} healthy and ${d.progress.newRunning} running of ${d.progress.target} new; ${d.progress.oldRunning} old still running` : ''}</p>
      <ol class="steps">${(d.steps || []).map((s, i) => html`<li class=${`step ${(s.status || '').toLowerCase()} ${i === d.currentStep ? 'current' : ''}`}>
        <strong>${s.action.replace(/_/g, ' ').toLowerCase()}</strong> ${s.detail || ''} <${Badge} state=${s.status} /></li>`)}</ol>
      ${may('change-apps') && (d.state === 'PAUSED' || d.state === 'RUNNING') ? html`<div class="actions">
        ${d.state === 'PAUSED' ? html`<button disabled=${busy} onClick=${() => act(d.id, 'promote')}>Promote</button>` : null}
        <${ConfirmButton} danger question=${`Stop this deployment and bring back version ${d.fromVersion}?`}
          onConfirm=${() => act(d.id, 'rollback')} disabled=${busy}>Roll back<//>
      </div>` : null}
    </article>`)}
  </section>`;
}
