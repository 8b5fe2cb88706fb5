// The gateway's /v1 API as the UI calls it: every request carries the signed-in user's token, and
// every refusal comes back as an ApiError with the problem's title, detail and field errors
// (application/problem+json), so a page can always say what went wrong.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `the gateway answered ${status}`);
    this.status = status;
    this.title = problem.title || `Error ${status}`;
    this.detail = problem.detail || '';
    // Field errors of a refused definition: [{field, message}] (422).
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

export class Api {
  constructor(session) {
    this.session = session;
  }

  async request(method, path, { body, query, headers = {}, signal } = {}) {
    const url = new URL(path, location.origin);
    for (const [name, value] of Object.entries(query || {})) {
      for (const one of [].concat(value)) {
        if (one !== undefined && one !== null && one !== '') url.searchParams.append(name, one);
      }
    }
    const token = await this.session.token();
    const sent = { ...headers };
    if (token) sent.Authorization = `Bearer ${token}`;
    if (body !== undefined) sent['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: sent,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, { title: 'The gateway cannot be reached', detail: String(e.message || e) });
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, json && typeof json === 'object' ? json : { detail: text });
    }
    return { body: json, headers: response.headers, status: response.status };
  }

  async get(path, query) {
    return (await this.request('GET', path, { query })).body;
  }

  /** One page of a list: its items, and X-Total-Count. */
  async page(path, key, query) {
    const answer = await this.request('GET', path, { query });
    return { items: answer.body?.[key] || [], total: Number(answer.headers.get('X-Total-Count') || 0) };
  }

  /** A whole list, following pages of up to 1,000. */
  async all(path, key, query = {}) {
    const items = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.page(path, key, { ...query, limit: 1000, offset });
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }

  post(path, body, query) {
    return this.request('POST', path, { body, query }).then(a => a.body);
  }

  put(path, body, query) {
    return this.request('PUT', path, { body, query }).then(a => a.body);
  }

  patch(path, body) {
    return this.request('PATCH', path, { body }).then(a => a.body);
  }

  delete(path, query) {
    return this.request('DELETE', path, { query }).then(a => a.body);
  }
}

/** An app id as it goes into a path: /team-a/web → team-a/web (its slashes stay, each segment escaped). */
export function appPath(appId) {
  return appId.replace(/^\//, '').split('/').map(encodeURIComponent).join('/');
}
