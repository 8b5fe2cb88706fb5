// The nodes as a topology: grouped by zone (the node attribute "zone"; "no zone" otherwise), each a card
// with its capacity and what is allocated (cpu, mem, disk bars), its tasks, whether it is reachable and
// when it was last heard from, and drain / undrain for administrators.
import { useMemo } from 'preact/hooks';
import { Ago, Badge, Bar, ConfirmButton, html, Loading, Problem, useAction, useBerth, useLive } from '../ui.js';

export function NodesPage() {
  const { api, may } = useBerth();
  const nodes = useLive(a => a.all('/v1/nodes', 'nodes'), [],
    event => event.type?.startsWith('dev.berth.node.') || event.type === 'dev.berth.task.state');
  const [run, busy, error] = useAction();
  const zones = useMemo(() => {
    const byZone = new Map();
    for (const node of nodes.data || []) {
      const zone = node.attributes?.zone || 'no zone';
      if (!byZone.has(zone)) byZone.set(zone, []);
      byZone.get(zone).push(node);
    }
    return [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [nodes.data]);
  if (!nodes.data) return nodes.error ? html`<${Problem} error=${nodes.error} />` : html`<${Loading} what="nodes" />`;
  const act = (id, what) => run(async () => { await api.post(`/v1/nodes/${encodeURIComponent(id)}/${what}`); nodes.reload(); });
  return html`<section>
    <div class="title"><h1>Nodes</h1><span class="count">${nodes.data.length} nodes</span></div>
    <${Problem} error=${error || nodes.error} />
    ${nodes.data.length === 0 ? html`<p class="muted">No node has registered: start a node agent.</p>` : null}
    ${zones.map(([zone, members]) => html`<div class="zone" key=${zone}>
      <h2>${zone === 'no zone' ? zone : `zone ${zone}`}</h2>
      <div class="cards">${members.map(n => html`<article class=${`card node ${n.reachable ? '' : 'unreachable'}`} key=${n.id} aria-label=${`node ${n.id}`}>
        <header>
          <strong>${n.id}</strong>
          <${Badge} state=${n.reachable ? n.mode : 'UNREACHABLE'} />
        </header>
        <p class="muted">${n.hostname || n.host} · heard from <${Ago} at=${n.lastSeen} /></p>
        <${Bar} label="cpu" used=${n.allocated?.cpus || 0} total=${n.capacity?.cpus || 0} />
        <${Bar} label="mem" used=${n.allocated?.mem || 0} total=${n.capacity?.mem || 0} />
        <${Bar} label="disk" used=${n.allocated?.disk || 0} total=${n.capacity?.disk || 0} />
        <p class="tasks-on">${(n.runningTaskIds || []).length} task${(n.runningTaskIds || []).length === 1 ? '' : 's'}</p>
        <details><summary>tasks and attributes</summary>
          <ul class="plain">${(n.runningTaskIds || []).map(t => html`<li><a href=${`#/logs/${t}`}>${t}</a></li>`)}</ul>
          <p class="muted">${Object.entries(n.attributes || {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'no attributes'}</p>
        </details>
        ${may('drain-nodes') ? html`<div class="actions">${n.mode === 'DRAINING'
          ? html`<button disabled=${busy} onClick=${() => act(n.id, 'undrain')}>Undrain</button>`
          : html`<${ConfirmButton} question=${`Drain ${n.id}? Its tasks move to other nodes, one at a time.`}
              onConfirm=${() => act(n.id, 'drain')} disabled=${busy}>Drain<//>`}</div>` : null}
      </article>`)}</div>
    </div>`)}
  </section>`;
}
