// The live stream of one meeting (docs/protocol.md, sections 5 and 6): a WebSocket that
// resumes from the last applied seq after any resumable drop, so nothing is shown twice and
// nothing is missed. Handlers get frames already checked for order and duplicates.

import { setTimeZone } from './util.js';

const RESUMABLE = new Set([1001, 1005, 1006, 1011, 1012, 4000, 4001]);

export class Live {
  /**
   * handlers: hello(f), snapshot(f), event(f, {live}), caughtUp(f), votes(f), presence(f),
   *           notice(f, {live}), state(name, info)
   * states: connecting, catching_up, live, waiting (info.ms until retry), failed (info.code)
   */
  constructor(meetingId, handlers) {
    this.id = meetingId;
    this.h = handlers;
    this.lastSeq = 0;
    this.synced = false; // a snapshot or a caught_up arrived on this connection
    this.ws = null;
    this.backoff = 500;
    this.retryHint = null;
    this.timer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.heartbeatMs = 20000;
    this.skipNotice = false;
    this.stopped = false;
    this.fresh = true; // next connect without since
    window.addEventListener('online', () => this.wake());
    document.addEventListener('visibilitychange', () => { if (!document.hidden) this.wake(); });
  }

  start() { this.connect(); }

  /** Reconnect now (e.g. after joining, so that personal notices reach this connection). */
  restart(fresh = false) {
    if (fresh) this.fresh = true;
    this.drop();
    this.connect();
  }

  stop() { this.stopped = true; this.drop(); }

  wake() {
    if (this.stopped) return;
    if (!this.ws || this.ws.readyState > 1) { clearTimeout(this.timer); this.connect(); return; }
    this.send({ t: 'ping' });
  }

  send(frame) { try { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame)); } catch (_) { /* closing */ } }

  drop() {
    clearTimeout(this.timer); clearInterval(this.pingTimer);
    if (this.ws) {
      this.ws.onclose = null; this.ws.onmessage = null; this.ws.onerror = null;
      try { this.ws.close(1000); } catch (_) { /* already closed */ }
      this.ws = null;
    }
  }

  connect() {
    if (this.stopped) return;
    this.drop();
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const since = !this.fresh && this.lastSeq > 0 ? `?since=${this.lastSeq}` : '';
    this.synced = false;
    this.retryHint = null;
    this.h.state('connecting');
    let ws;
    try { ws = new WebSocket(`${proto}://${location.host}/api/meetings/${this.id}/live${since}`); } catch (_) { this.schedule(); return; }
    this.ws = ws;
    ws.onopen = () => { this.lastFrameAt = Date.now(); if (since) this.h.state('catching_up'); };
    ws.onmessage = (m) => {
      this.lastFrameAt = Date.now();
      const t0 = performance.now();
      let f;
      try { f = JSON.parse(m.data); } catch (_) { return; }
      this.frame(f);
      // Script time per frame, collected only when a test or a curious developer asks for it.
      if (window.bmFrameTimes && f.t === 'event') window.bmFrameTimes.push(performance.now() - t0);
    };
    ws.onerror = () => { /* onclose follows */ };
    ws.onclose = (e) => {
      clearInterval(this.pingTimer);
      this.ws = null;
      if (this.stopped) return;
      if (e.code && !RESUMABLE.has(e.code) && e.code !== 1000) { this.h.state('failed', { code: e.code }); return; }
      this.schedule();
    };
  }

  schedule() {
    let ms;
    if (this.retryHint !== null) ms = this.retryHint + Math.random() * 1000;
    else { ms = this.backoff + Math.random() * this.backoff * 0.5; this.backoff = Math.min(this.backoff * 2, 10000); }
    this.h.state('waiting', { ms });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms);
  }

  frame(f) {
    switch (f.t) {
      case 'hello':
        if (f.heartbeat_ms) this.heartbeatMs = f.heartbeat_ms;
        clearInterval(this.pingTimer);
        // Browsers hide WebSocket pings: send our own and treat silence as a dead line.
        this.pingTimer = setInterval(() => {
          if (Date.now() - this.lastFrameAt > this.heartbeatMs * 2.2) { this.drop(); this.schedule(); return; }
          this.send({ t: 'ping' });
        }, Math.max(2000, this.heartbeatMs / 2));
        this.h.hello(f);
        break;
      case 'snapshot':
        this.lastSeq = f.seq; this.fresh = false; this.synced = true; this.backoff = 500;
        this.h.snapshot(f);
        this.h.state('live');
        break;
      case 'event':
        if (f.seq <= this.lastSeq) { this.skipNotice = true; return; }
        if (this.lastSeq > 0 && f.seq !== this.lastSeq + 1) { this.drop(); this.connect(); return; } // a gap: resume
        this.skipNotice = false;
        this.lastSeq = f.seq;
        this.h.event(f, { live: this.synced });
        break;
      case 'notice':
        if (this.skipNotice || f.seq > this.lastSeq) return;
        this.h.notice(f, { live: this.synced });
        break;
      case 'caught_up':
        this.lastSeq = Math.max(this.lastSeq, f.seq); this.synced = true; this.backoff = 500;
        this.h.caughtUp(f);
        this.h.state('live');
        break;
      case 'votes': this.h.votes(f); break;
      case 'presence': this.h.presence(f); break;
      case 'reconnect': this.retryHint = f.retry_after_ms || 0; break;
      default: break; // pong, error, unknown frames
    }
  }
}

/** The state of one meeting as this viewer may see it, kept from the live stream. The
 *  observer gets: hello(f), reset(posts), post(p, old, live), remove(id), meeting(m, old),
 *  counters(c), votes(counts), presence(n), notice(f, live), event(f, live), state(name, info). */
export class Feed {
  constructor(meetingId, obs) {
    this.id = meetingId;
    this.obs = obs;
    this.meeting = null;
    this.posts = new Map();
    this.you = null;
    this.audience = 'public';
    this.voted = new Set();
    this.watching = 0;
    const call = (name, ...args) => { if (this.obs[name]) this.obs[name](...args); };
    this.live = new Live(meetingId, {
      hello: (f) => {
        setTimeZone(f.time_zone);
        this.audience = f.audience;
        this.you = f.you;
        this.voted = new Set((f.you && f.you.voted) || []);
        call('hello', f);
      },
      snapshot: (f) => {
        this.meeting = f.meeting;
        this.watching = f.watching || 0;
        this.posts = new Map(f.posts.map((p) => [p.id, p]));
        call('reset', f.posts);
        call('presence', this.watching);
      },
      event: (f, opts) => {
        if (f.redacted) { call('event', f, opts.live); return; }
        for (const p of f.posts || []) this.apply(p, opts.live);
        if (f.meeting) { const old = this.meeting; this.meeting = f.meeting; call('meeting', f.meeting, old); }
        if (f.counters && this.meeting) { this.meeting.counters = f.counters; call('counters', f.counters); }
        call('event', f, opts.live);
      },
      notice: (f, opts) => {
        if (f.post) this.apply(f.post, opts.live, true);
        if (this.you) {
          if (f.kind === 'muted') this.you.muted_until = f.muted_until;
          if (f.kind === 'banned') this.you.banned = true;
        }
        call('notice', f, opts.live);
      },
      caughtUp: (f) => call('caughtUp', f),
      votes: (f) => {
        for (const [id, n] of f.counts) { const p = this.posts.get(id); if (p) p.votes = n; }
        call('votes', f.counts);
      },
      presence: (f) => { this.watching = f.watching; call('presence', f.watching); },
      state: (name, info) => call('state', name, info),
    });
  }

  isStaff() { return this.audience === 'staff'; }

  mine(p) { return !!(this.you && p.author && p.author.participant_id === this.you.participant_id); }

  apply(p, live, own) {
    const old = this.posts.get(p.id);
    // A formerly public post that was held or rejected arrives once "withdrawn": remove it.
    if (!own && !this.isStaff() && (p.status === 'pending' || p.status === 'rejected') && !this.mine(p)) {
      if (old) { this.posts.delete(p.id); if (this.obs.remove) this.obs.remove(p.id); }
      return;
    }
    // A public frame never carries the author's own moderation details: keep them.
    if (old && this.mine(p) && !own) {
      if (p.moderation_note === undefined && old.moderation_note && p.status === old.status) p.moderation_note = old.moderation_note;
      if (p.body === null && old.body && p.status === old.status) p.body = old.body;
    }
    this.posts.set(p.id, p);
    if (this.obs.post) this.obs.post(p, old, live);
  }

  start() { this.live.start(); }
}
