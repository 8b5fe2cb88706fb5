// Creating or editing an app: a form for the common fields and the whole Marathon definition as JSON,
// kept in step (the form writes into the JSON). Sent as it is to POST /v1/apps or PUT /v1/apps/{id};
// the gateway's field errors are shown next to the form field they name, and all of them under the
// editor, with the JSON path each names.
import { useEffect, useState } from 'preact/hooks';
import { appPath } from '../api.js';
import { html, Loading, Problem, useAction, useBerth } from '../ui.js';
import { definitionOf } from './app.js';

const FORM = [
  ['id', 'Id', 'text', '/team-a/web'],
  ['cmd', 'Command', 'text', 'python3 -m http.server $PORT0'],
  ['instances', 'Instances', 'number', '1'],
  ['cpus', 'CPUs', 'number', '0.1'],
  ['mem', 'Memory (MiB)', 'number', '64'],
];

const STARTER = { id: '', cmd: '', instances: 1, cpus: 0.1, mem: 64, portDefinitions: [{ port: 0, name: 'http' }] };

export function EditorPage({ appId }) {
  const { api } = useBerth();
  const [text, setText] = useState(appId ? null : JSON.stringify(STARTER, null, 2));
  const [version, setVersion] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [run, busy, error, clear] = useAction();
  useEffect(() => {
    if (!appId) return;
    api.request('GET', `/v1/apps/${appPath(appId)}`).then(answer => {
      setText(JSON.stringify(definitionOf(answer.body), null, 2));
      setVersion(answer.headers.get('ETag'));
    }, setLoadError);
  }, [appId]);
  if (loadError) return html`<${Problem} error=${loadError} />`;
  if (text === null) return html`<${Loading} what=${appId} />`;
  let parsed = null;
  let syntax = null;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    syntax = e.message;
  }
  const fieldError = field => error?.errors?.filter(e => e.field === field || e.field?.startsWith(`${field}.`) || e.field?.startsWith(`${field}[`)) || [];
  const setField = (field, type, value) => {
    const next = { ...(parsed || {}) };
    next[field] = type === 'number' ? (value === '' ? undefined : Number(value)) : value;
    setText(JSON.stringify(next, null, 2));
  };
  const submit = e => {
    e.preventDefault();
    clear();
    run(async () => {
      if (appId) {
        await api.request('PUT', `/v1/apps/${appPath(appId)}`, { body: text, headers: version ? { 'If-Match': version } : {} });
        location.hash = `#/app${appId}`;
      } else {
        const created = await api.post('/v1/apps', text);
        location.hash = `#/app${created.id}`;
      }
    });
  };
  return html`<section>
    <div class="title"><h1>${appId ? `Edit ${appId}` : 'New app'}</h1></div>
    <form class="editor" onSubmit=${submit}>
      <fieldset class="common" disabled=${!parsed}>
        <legend>Common fields</legend>
        ${FORM.filter(([field]) => !(appId && field === 'id')).map(([field, label, type, placeholder]) => html`<div class="field">
          <label for=${`field-${field}`}>${label}</label>
          <input id=${`field-${field}`} name=${field} type=${type} step="any" placeholder=${placeholder}
            value=${parsed?.[field] ?? ''} aria-invalid=${fieldError(field).length > 0}
            onInput=${e => setField(field, type, e.target.value)} />
          ${fieldError(field).map(f => html`<span class="field-error" role="alert">${f.message}</span>`)}
        </div>`)}
      </fieldset>
      <label for="definition">Definition (Marathon's JSON; see docs/app-definition.md)</label>
      <textarea id="definition" spellcheck="false" rows="22" value=${text} onInput=${e => setText(e.target.value)}
        aria-invalid=${syntax !== null}></textarea>
      ${syntax ? html`<p class="field-error" role="alert">Not JSON: ${syntax}</p>` : null}
      <${Problem} error=${error} />
      <div class="actions">
        <button type="submit" disabled=${busy || !!syntax}>${appId ? 'Save as a new version' : 'Create'}</button>
        <a class="button quiet" href=${appId ? `#/app${appId}` : '#/apps'}>Cancel</a>
      </div>
    </form>
  </section>`;
}
