// Follows GET /v1/events for the whole UI: one stream per tab, read with fetch (an EventSource
// cannot send the Authorization header), parsed as Server-Sent Events, and resumed after any break
// with Last-Event-ID, so no event is missed and none comes twice. Pages subscribe and refresh what
// they show when an event concerns it.

export class LiveEvents {
  constructor(session) {
    this.session = session;
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.lastId = null;
    this.state = 'connecting';
    this.stopped = false;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** 'connecting', 'live' or 'reconnecting', for the header's indicator. */
  onState(listener) {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  setState(state) {
    if (state !== this.state) {
      this.state = state;
      this.stateListeners.forEach(listener => listener(state));
    }
  }

  start() {
    this.loop();
    return this;
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
  }

  async loop() {
    let pause = 500;
    while (!this.stopped) {
      try {
        await this.follow();
        pause = 500;
      } catch (e) {
        if (this.stopped) return;
      }
      this.setState('reconnecting');
      await new Promise(resolve => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 10_000);
    }
  }

  async follow() {
    this.controller = new AbortController();
    const headers = { Accept: 'text/event-stream' };
    const token = await this.session.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.lastId !== null) headers['Last-Event-ID'] = this.lastId;
    const response = await fetch('/v1/events', { headers, signal: this.controller.signal });
    if (response.status === 401) {
      await this.session.refresh?.();
      throw new Error('token refused');
    }
    if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
    this.setState('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer[end] === '\r' ? end + 2 : end + 1);
        if (line === '') {
          this.dispatch(event);
          event = { data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') event.data.push(text);
          else if (field === 'id') event.id = text;
          else if (field === 'event') event.type = text;
        }
      }
    }
  }

  dispatch(event) {
    if (event.id !== undefined) this.lastId = event.id;
    if (event.data.length === 0) return;
    let cloudEvent;
    try {
      cloudEvent = JSON.parse(event.data.join('\n'));
    } catch (e) {
      return;
    }
    cloudEvent.offset = event.id;
    this.listeners.forEach(listener => listener(cloudEvent));
  }
}
