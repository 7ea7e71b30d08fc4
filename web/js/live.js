// @ts-check
// The live stream of one meeting (docs/protocol.md, sections 5 and 6): a WebSocket that
// resumes from the last applied seq after any resumable drop, so nothing is shown twice and
// nothing is missed. Handlers get frames already checked for order and duplicates.
//
// Some networks break WebSockets (corporate proxies, municipal guest Wi-Fi): the upgrade is
// refused, or it hangs. A connection that has not said hello within CONNECT_TIMEOUT_MS, or
// that closes before its hello, counts as a failed upgrade; after one such failure on a page
// that never had a working WebSocket (three once it had one) the page moves to the server's
// SSE stream, which carries the same frames and the same resume. The person is not told
// which transport carries the meeting: both are live.
//
// A line can also die silently (Wi-Fi gone, NAT entry dropped): no close, no frames. The page
// pings every PING_FRACTION of the server's heartbeat and treats two missed pings as a dead
// line (about heartbeat_ms / 2 + 1 s: 11 s with the default 20 s heartbeat), then resumes.

import { setTimeZone } from './util.js';
import { streamPath, client } from './client.js';

const RESUMABLE = new Set([1001, 1005, 1006, 1011, 1012, 4000, 4001]);

/** The question a version 2 frame leaves out: a new, open one. */
const openQuestion = () => ({ state: 'open', claimed_by: null, answer: null, dismissed_reason: null, merged_into: null, merged_from: [] });

/**
 * A version 2 post (docs/protocol.md "Protocol version 2": defaults left out, the author by
 * number once the stream has sent them) as the full PostView the pages render. `authors` is
 * the stream's table (`by` -> author), filled from the snapshot and from every full author.
 * Null when the author was never sent: the caller takes a fresh snapshot.
 */
export function expandPost(p, at, audience, authors) {
  let author;
  if (p.author) {
    const a = p.author;
    author = { participant_id: a.participant_id ?? null, name: a.name ?? '', role: a.role || 'citizen', role_line: a.role_line ?? null, verified: !!a.verified };
    if (p.by != null) authors.set(p.by, author);
  } else if (p.by != null && authors.has(p.by)) {
    author = authors.get(p.by);
  } else {
    return null;
  }
  const kind = p.kind || 'comment';
  /** @type {any} */
  const v = {
    id: p.id, kind, parent: p.parent ?? null, author: { ...author }, source: p.source || 'online',
    body: p.body ?? null, created_at: p.created_at || at, status: p.status || 'visible',
    hidden_reason: p.hidden_reason ?? null, votes: p.votes || 0,
    question: 'question' in p ? p.question : (kind === 'question' ? openQuestion() : null),
    reply_count: p.reply_count || 0,
  };
  if (p.erased) v.erased = true;
  if (p.moderation_note != null) v.moderation_note = p.moderation_note;
  if (p.held_reason != null) v.held_reason = p.held_reason;
  if (audience === 'staff') v.reports = p.reports || 0;
  if (p.agenda_item != null) v.agenda_item = p.agenda_item;
  if (p.by != null) v.by = p.by;
  return v;
}
const CONNECT_TIMEOUT_MS = 4000;
const PING_FRACTION = 4;
const MAX_BACKOFF_MS = 5000;

/** Frames of a text/event-stream body, as JSON objects (comments only refresh liveness). */
function sseParser(onFrame, onBytes) {
  let buf = '';
  return (chunk) => {
    onBytes();
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) continue;
      let f;
      try { f = JSON.parse(data); } catch (_) { continue; }
      onFrame(f);
    }
  };
}

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
    this.sse = null; // AbortController of the SSE fetch
    this.transport = 'ws';
    this.wsWorked = false; // a WebSocket said hello on this page once
    this.wsFailures = 0; // upgrades in a row that never said hello
    this.gen = 0; // connection generation: callbacks of an older connection are ignored
    this.backoff = 500;
    this.retryHint = null;
    this.timer = null;
    this.connectTimer = null;
    this.liveCheck = null; // interval: has anything arrived lately?
    this.pinger = null; // interval: our ping (WebSocket only)
    this.sawHello = false; // the current connection said hello
    this.lastFrameAt = 0;
    this.heartbeatMs = 20000;
    this.skipNotice = false;
    this.stopped = false;
    this.fresh = true; // next connect without since
    // Protocol version 2 (client.js streamPath asks for it): the authors this stream has sent
    // (`by` -> author) and the counters, which its event frames carry only when they change.
    // Kept across a resume, replaced by every snapshot.
    this.protocol = 1;
    this.audience = 'public';
    this.authors = new Map();
    this.counters = null;
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

  open() { return !!(this.ws && this.ws.readyState <= 1) || !!this.sse; }

  wake() {
    if (this.stopped) return;
    if (!this.open()) { clearTimeout(this.timer); this.connect(); return; }
    this.send({ t: 'ping' });
  }

  send(frame) { try { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame)); } catch (_) { /* closing */ } }

  drop() {
    this.gen += 1;
    clearTimeout(this.timer); clearTimeout(this.connectTimer); this.stopWatching();
    if (this.ws) {
      this.ws.onclose = null; this.ws.onmessage = null; this.ws.onerror = null; this.ws.onopen = null;
      try { this.ws.close(1000); } catch (_) { /* already closed */ }
      this.ws = null;
    }
    if (this.sse) { try { this.sse.abort(); } catch (_) { /* done */ } this.sse = null; }
  }

  /** @param {'live' | 'events'} transport */
  url(transport) {
    return streamPath(this.id, transport, !this.fresh && this.lastSeq > 0 ? this.lastSeq : null);
  }

  connect() {
    if (this.stopped) return;
    this.drop();
    this.synced = false;
    this.retryHint = null;
    this.sawHello = false;
    this.h.state('connecting');
    if (this.transport === 'sse') { this.connectSse(); return; }
    const gen = this.gen;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const resuming = !this.fresh && this.lastSeq > 0;
    let ws;
    try { ws = new WebSocket(`${proto}://${location.host}${this.url('live')}`); } catch (_) { this.upgradeFailed(); return; }
    this.ws = ws;
    // A stalled upgrade (a proxy that swallows it) never opens and never closes by itself.
    this.connectTimer = setTimeout(() => { if (gen === this.gen && !this.sawHello) this.upgradeFailed(); }, CONNECT_TIMEOUT_MS);
    ws.onopen = () => { this.lastFrameAt = Date.now(); if (resuming) this.h.state('catching_up'); };
    ws.onmessage = (m) => {
      this.lastFrameAt = Date.now();
      const t0 = performance.now();
      let f;
      try { f = JSON.parse(m.data); } catch (_) { return; }
      this.frame(f);
      // Script time per frame, collected only when a test or a curious developer asks for it.
      const times = /** @type {{ bmFrameTimes?: number[] }} */ (/** @type {unknown} */ (window)).bmFrameTimes;
      if (times && f.t === 'event') times.push(performance.now() - t0);
    };
    ws.onerror = () => { /* onclose follows */ };
    ws.onclose = (e) => {
      if (gen !== this.gen) return;
      this.stopWatching();
      this.ws = null;
      if (this.stopped) return;
      if (!this.sawHello) { this.upgradeFailed(); return; }
      if (e.code && !RESUMABLE.has(e.code) && e.code !== 1000) { this.h.state('failed', { code: e.code }); return; }
      this.schedule();
    };
  }

  /** The WebSocket never said hello: try again, or move to SSE for the rest of this page. */
  upgradeFailed() {
    this.drop();
    this.wsFailures += 1;
    if (this.wsFailures >= (this.wsWorked ? 3 : 1)) {
      this.transport = 'sse';
      this.connect();
      return;
    }
    this.schedule();
  }

  connectSse() {
    const gen = this.gen;
    const ctl = new AbortController();
    this.sse = ctl;
    this.lastFrameAt = Date.now();
    const alive = () => { if (gen === this.gen) this.lastFrameAt = Date.now(); };
    const feed = sseParser((f) => { if (gen === this.gen) this.frame(f); }, alive);
    // No ping on SSE (the client cannot speak): the server's ": heartbeat" comment every
    // heartbeat_ms is the sign of life, so silence for two heartbeats is a dead line.
    this.connectTimer = setTimeout(() => { if (gen === this.gen && !this.sawHello) this.lost(gen); }, CONNECT_TIMEOUT_MS * 2);
    fetch(this.url('events'), { credentials: 'same-origin', cache: 'no-store', signal: ctl.signal, headers: { Accept: 'text/event-stream' } })
      .then(async (res) => {
        if (gen !== this.gen) return;
        if (!res.ok || !res.body) {
          if (res.status === 404) { this.h.state('failed', { code: 404 }); this.sse = null; return; }
          this.lost(gen); return;
        }
        if (!this.fresh && this.lastSeq > 0) this.h.state('catching_up');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (gen !== this.gen) return;
          if (done) break;
          feed(value);
        }
        this.lost(gen);
      })
      .catch(() => this.lost(gen));
  }

  lost(gen) {
    if (gen !== this.gen || this.stopped) return;
    this.drop();
    this.schedule();
  }

  schedule() {
    let ms;
    if (this.retryHint !== null) ms = this.retryHint + Math.random() * 1000;
    else { ms = this.backoff + Math.random() * this.backoff * 0.5; this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS); }
    this.h.state('waiting', { ms });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), ms);
  }

  /** Liveness: ping (WebSocket) every `every` ms; check every second whether anything came. */
  watch() {
    this.stopWatching();
    const sse = this.transport === 'sse';
    const every = Math.min(10000, Math.max(500, this.heartbeatMs / PING_FRACTION));
    const deadAfter = sse ? this.heartbeatMs * 2 + 1000 : every * 2 + 1000;
    const gen = this.gen;
    this.liveCheck = setInterval(() => {
      if (gen === this.gen && Date.now() - this.lastFrameAt > deadAfter) this.lost(gen);
    }, Math.min(1000, every / 2));
    if (!sse) this.pinger = setInterval(() => { if (gen === this.gen) this.send({ t: 'ping' }); }, every);
  }

  stopWatching() { clearInterval(this.liveCheck); clearInterval(this.pinger); }

  frame(f) {
    switch (f.t) {
      case 'hello':
        this.sawHello = true;
        clearTimeout(this.connectTimer);
        if (this.transport === 'ws') { this.wsWorked = true; this.wsFailures = 0; }
        if (f.heartbeat_ms) this.heartbeatMs = f.heartbeat_ms;
        this.protocol = f.protocol || 1;
        this.audience = f.audience;
        this.watch();
        this.h.hello(f);
        break;
      case 'snapshot':
        this.authors = new Map();
        for (const p of f.posts || []) if (p.by != null) this.authors.set(p.by, p.author);
        this.counters = f.meeting ? { ...f.meeting.counters } : null;
        this.lastSeq = f.seq; this.fresh = false; this.synced = true; this.backoff = 500;
        this.h.snapshot(f);
        this.h.state('live');
        break;
      case 'event':
        if (f.seq <= this.lastSeq) { this.skipNotice = true; return; }
        if (this.lastSeq > 0 && f.seq !== this.lastSeq + 1) { this.drop(); this.connect(); return; } // a gap: resume
        if (this.protocol === 2) {
          const full = this.expand(f);
          if (!full) { this.restart(true); return; } // an author this page never got: start afresh
          f = full;
        }
        this.skipNotice = false;
        this.lastSeq = f.seq;
        this.h.event(f, { live: this.synced });
        // Names were pseudonymized: the authors kept here are stale, take a fresh snapshot.
        if (this.protocol === 2 && f.type === 'personal_data_pseudonymized') this.restart(true);
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
      case 'poll_results': if (this.h.pollResults) this.h.pollResults(f); break;
      case 'reconnect': this.retryHint = f.retry_after_ms || 0; break;
      default: break; // pong, error, unknown frames
    }
  }

  /** A version 2 event frame as the version 1 frame the pages know (full posts, all
   *  counters), or null when it names an author this stream never sent. */
  expand(f) {
    /** @type {any[]} */
    const posts = [];
    for (const p of f.posts || []) {
      const v = expandPost(p, f.at, this.audience, this.authors);
      if (!v) return null;
      posts.push(v);
    }
    if (f.meeting) this.counters = { ...f.meeting.counters };
    let counters;
    if (f.counters && this.counters) { Object.assign(this.counters, f.counters); counters = { ...this.counters }; }
    const out = { ...f, posts };
    if (counters) out.counters = counters; else delete out.counters;
    return out;
  }
}

/**
 * What a page hands the shared agenda and poll editors (staff/agenda.js, staff/polls.js): the
 * meeting, its live feed (the staff stream's meeting view and poll results) and `run`, which
 * toasts a command's outcome (ui.js `runCommand`). The console is one such host, the
 * organizer's meeting page (admin.js) the other.
 * @typedef {Object} EditorHost
 * @property {string} id the meeting
 * @property {Feed} feed
 * @property {(promise: Promise<any>, okKey?: string) => Promise<any>} run
 */

/** The state of one meeting as this viewer may see it, kept from the live stream. The
 *  observer gets: hello(f), reset(posts), post(p, old, live), remove(id), meeting(m, old),
 *  counters(c), votes(counts), presence(n), notice(f, live), event(f, live), state(name, info),
 *  results(poll, results) (a poll's coalesced results, when this audience may see them),
 *  polls() (the polls, their results and the viewer's answers read over HTTP, see below).
 *
 *  Polls before the stream: a poll's results and the viewer's own answer only come with the
 *  stream (hello, poll_results after the snapshot). A page that has not had its first snapshot
 *  yet (the WebSocket stalls before the move to SSE, or no stream gets through at all) reads
 *  them once from GET /polls: at the start when the meeting read over HTTP has a launched
 *  poll (a citizen who arrives while one is open sees it, with its results, at once), and
 *  when the stream has to wait or fails before its first snapshot. Once a snapshot has come
 *  the stream is the only source; an HTTP answer that comes later than a frame is dropped. */
export class Feed {
  constructor(meetingId, obs, meeting = null) {
    this.id = meetingId;
    this.obs = obs;
    // The meeting as read over HTTP before the stream: the page can show its title, time and
    // join form at once, even when no stream gets through. The snapshot replaces it.
    this.meeting = meeting;
    this.posts = new Map();
    this.you = null;
    this.audience = 'public';
    this.voted = new Set();
    this.watching = 0;
    /** @type {Map<number, import('./client.js').PollResults>} poll id -> the latest results seen */
    this.results = new Map();
    /** @type {Map<number, import('./client.js').PollAnswer>} poll id -> this viewer's answer */
    this.answers = new Map();
    /** A snapshot arrived on this page: from then on the stream is the only source of polls. */
    this.snapshotSeen = false;
    /** @type {Promise<void> | null} the GET /polls under way */
    this.pollsLoading = null;
    const call = (name, ...args) => { if (this.obs[name]) this.obs[name](...args); };
    this.call = call;
    this.live = new Live(meetingId, {
      hello: (f) => {
        setTimeZone(f.time_zone);
        this.audience = f.audience;
        this.you = f.you;
        // Refill in place: the post list holds this very set (a new Set here would leave it
        // with the old one, and a returning citizen's votes would show as not pressed).
        this.voted.clear();
        for (const v of (f.you && f.you.voted) || []) this.voted.add(v);
        this.answers.clear();
        for (const a of (f.you && f.you.poll_answers) || []) this.answers.set(a.poll, a.answer);
        call('hello', f);
      },
      snapshot: (f) => {
        this.snapshotSeen = true;
        this.meeting = f.meeting;
        this.watching = f.watching || 0;
        this.posts = new Map(f.posts.map((p) => [p.id, p]));
        // Results follow the snapshot as poll_results frames (those this audience may see).
        this.results.clear();
        call('reset', f.posts);
        call('presence', this.watching);
      },
      event: (f, opts) => {
        // A version 2 frame carries changed counters even when redacted (live.js expands it).
        if (f.redacted) {
          if (f.counters && this.meeting) { this.meeting.counters = f.counters; call('counters', f.counters); }
          call('event', f, opts.live);
          return;
        }
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
      pollResults: (f) => { this.results.set(f.poll, f.results); call('results', f.poll, f.results); },
      state: (name, info) => {
        if (name === 'waiting' || name === 'failed') this.pollsFromHttp();
        call('state', name, info);
      },
    });
  }

  /** GET /polls while no snapshot has come (see the class comment); one request at a time. */
  pollsFromHttp() {
    if (this.snapshotSeen || this.pollsLoading) return;
    this.pollsLoading = client.polls(this.id).then((r) => {
      if (this.snapshotSeen) return;
      if (this.meeting) this.meeting = { ...this.meeting, polls: r.polls.map((x) => x.poll) };
      // A frame that came meanwhile is newer than this answer.
      for (const x of r.polls) if (x.results && !this.results.has(x.poll.id)) this.results.set(x.poll.id, x.results);
      if (!this.you) for (const a of r.yours || []) this.answers.set(a.poll, a.answer);
      this.call('polls');
    }).catch(() => { /* the stream will bring them */ }).finally(() => { this.pollsLoading = null; });
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

  start() {
    this.live.start();
    if (this.meeting && (this.meeting.polls || []).some((p) => p.status !== 'draft')) this.pollsFromHttp();
  }
}
