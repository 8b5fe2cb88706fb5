// A task's output, tailing live: GET /v1/tasks/{id}/logs with follow, read as it arrives and appended;
// stdout or stderr, and a download of what is shown.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, Problem, useBerth } from '../ui.js';
import { ApiError } from '../api.js';

const SHOWN = 2_000_000;

export function LogsPage({ taskId }) {
  const { api } = useBerth();
  const [stream, setStream] = useState('stdout');
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [following, setFollowing] = useState(false);
  const end = useRef(null);
  useEffect(() => {
    const controller = new AbortController();
    setText('');
    setError(null);
    (async () => {
      try {
        const token = await api.session.token();
        const url = `/v1/tasks/${encodeURIComponent(taskId)}/logs?stream=${stream}&tail=1000&follow=true`;
        const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: controller.signal });
        if (!response.ok) {
          const problem = await response.json().catch(() => ({}));
          throw new ApiError(response.status, problem);
        }
        setFollowing(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          setText(all => (all + value).slice(-SHOWN));
        }
      } catch (e) {
        if (e.name !== 'AbortError') setError(e);
      } finally {
        setFollowing(false);
      }
    })();
    return () => controller.abort();
  }, [taskId, stream]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [text]);
  const download = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    link.download = `${taskId}.${stream}.log`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return html`<section>
    <div class="title"><h1>Logs</h1><code class="muted">${taskId}</code></div>
    <div class="filters">
      <label><input type="radio" name="stream" checked=${stream === 'stdout'} onChange=${() => setStream('stdout')} /> stdout</label>
      <label><input type="radio" name="stream" checked=${stream === 'stderr'} onChange=${() => setStream('stderr')} /> stderr</label>
      <span class="muted">${following ? '● following' : ''}</span>
      <button onClick=${download} disabled=${!text}>Download</button>
    </div>
    <${Problem} error=${error} />
    <pre class="log" aria-label="log" tabindex="0">${text}<span ref=${end}></span></pre>
  </section>`;
}
