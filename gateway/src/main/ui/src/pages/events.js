// The live event stream as it arrives (the latest 500 kept), filterable by type and by a text in its
// subject; each event opens to its whole CloudEvent.
import { useEffect, useState } from 'preact/hooks';
import { html, useBerth } from '../ui.js';

const KEPT = 500;

export function EventsPage() {
  const { live } = useBerth();
  const [events, setEvents] = useState([]);
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  useEffect(() => live.subscribe(event => setEvents(all => [event, ...all].slice(0, KEPT))), []);
  const shown = events.filter(e => (!type || e.type?.startsWith(type)) && (!text || (e.subject || '').includes(text)));
  return html`<section>
    <div class="title"><h1>Events</h1><span class="count">${events.length ? `${shown.length} of the last ${events.length}` : 'waiting for the next event…'}</span></div>
    <div class="filters">
      <select aria-label="event type" value=${type} onChange=${e => setType(e.target.value)}>
        <option value="">every type</option>
        ${['dev.berth.app.', 'dev.berth.task.', 'dev.berth.deployment.', 'dev.berth.node.', 'dev.berth.volume.']
          .map(t => html`<option value=${t}>${t.split('.')[2]} events</option>`)}
      </select>
      <input type="search" placeholder="subject contains…" aria-label="subject contains" value=${text} onInput=${e => setText(e.target.value)} />
    </div>
    <ol class="events">${shown.map(e => html`<li key=${e.offset}>
      <details><summary><time datetime=${e.time}>${e.time ? new Date(e.time).toLocaleTimeString() : ''}</time>
        <code>${e.type}</code> <span>${e.subject}</span> ${summary(e)}</summary>
        <pre class="json">${JSON.stringify(e, null, 2)}</pre></details>
    </li>`)}</ol>
  </section>`;
}

function summary(event) {
  const d = event.data || {};
  if (d.state) return html`<span class="muted">${d.previousState ? `${d.previousState} → ` : ''}${d.state}${d.reason ? `: ${d.reason}` : ''}</span>`;
  if (d.verdict) return html`<span class="muted">${d.verdict}</span>`;
  if (d.change) return html`<span class="muted">${d.change}, version ${d.version}</span>`;
  return null;
}
