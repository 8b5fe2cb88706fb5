// The queue: every app with instances waiting, and why, in words: the scheduler's count of nodes that
// refused each waiting instance for each reason, and a failing app's backoff with its last failure.
import { Ago, html, Link, Loading, Problem, useLive } from '../ui.js';

// The scheduler's reasons (docs/placement.md, "Reading unplaced"), said for a person, with what to do.
const WORDS = [
  [/^no nodes registered$/, () => 'no node has registered yet: start a node agent'],
  [/^node draining$/, () => 'the node is being drained and takes no new tasks'],
  [/^node unreachable$/, () => 'the node has not been heard from and takes no new tasks'],
  [/^insufficient (cpus|mem|disk)$/, m => `not enough ${{ cpus: 'CPU', mem: 'memory', disk: 'disk' }[m[1]]} left for one instance`],
  [/^insufficient ports$/, () => 'too few free ports in the node\'s range'],
  [/^host port (\d+) unavailable$/, m => `port ${m[1]} is taken or outside the node's range`],
  [/^user (.+) not allowed$/, m => `the node does not let tasks run as ${m[1]}`],
  [/^no own root file system for tasks$/, () => 'the app needs its own root file system, which the node cannot give'],
  [/^local volume on node (.+)$/, m => `its local volume lives on node ${m[1]}`],
  [/^no volume provider (.+)$/, m => `the node does not serve ${m[1]} volumes`],
  [/^no bridge network$/, () => 'the app is on a bridge network, which the node cannot give'],
  [/^constraint (.+)$/, m => `the node breaks the app's rule ${m[1]}`],
];

/** A reason of the scheduler's in words; one it does not know is shown as the scheduler wrote it. */
export function reasonInWords(reason) {
  for (const [pattern, say] of WORDS) {
    const match = reason.match(pattern);
    if (match) return say(match);
  }
  return reason;
}

export function QueuePage() {
  const queue = useLive(a => a.all('/v1/queue', 'queue'), [], event => event.type?.startsWith('dev.berth.'));
  if (!queue.data) return queue.error ? html`<${Problem} error=${queue.error} />` : html`<${Loading} what="the queue" />`;
  return html`<section>
    <div class="title"><h1>Queue</h1><span class="count">${queue.data.length} app${queue.data.length === 1 ? '' : 's'} waiting</span></div>
    <${Problem} error=${queue.error} />
    ${queue.data.length === 0 ? html`<p class="muted">Nothing waits: every instance found a node.</p>` : null}
    ${queue.data.map(q => html`<article class="card" key=${q.appId}>
      <header><${Link} to=${`/app${q.appId}`}>${q.appId}<//> <span>${q.waiting} waiting</span>
        <span class="muted">since <${Ago} at=${q.since} /></span></header>
      ${q.delayedUntil ? html`<p class="why-line">Held back after ${q.delay?.failuresInARow ?? 'its'} failures in a row
        until ${new Date(q.delayedUntil).toLocaleTimeString()}${q.delay?.lastFailure ? `: last failure ${q.delay.lastFailure.message || q.delay.lastFailure.state}` : ''}.</p>` : null}
      ${Object.keys(q.unplaced || {}).length ? html`<ul class="reasons">${Object.entries(q.unplaced).map(([why, nodes]) =>
        html`<li><strong>${nodes}</strong> node${nodes === 1 ? '' : 's'}: ${reasonInWords(why)}</li>`)}</ul>` : null}
    </article>`)}
  </section>`;
}
