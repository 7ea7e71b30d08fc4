// Protocol version 2 as the page reads it: web/js/live.js's expandPost, fed the lean frames
// of a real server's `?v=2` stream, gives the same posts as the version 1 stream of the same
// meeting (public and staff; replayed from seq 0, so every author is met for the first time
// on the stream). No browser: the expansion is plain JavaScript.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createMeeting, joinHttp, staffLink } from './lib.js';
import { expandPost } from '../js/live.js';

let server;
after(async () => { if (server) { await server.stop(); server.cleanup(); } });

/** Every SSE frame of `path` up to `caught_up`, as JSON. */
async function frames(path, bearer) {
  const ctl = new AbortController();
  const res = await fetch(server.url + path, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {}, signal: ctl.signal });
  assert.equal(res.status, 200);
  const out = [];
  let buf = '';
  const dec = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const data = buf.slice(0, i).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
        buf = buf.slice(i + 2);
        if (!data) continue;
        const f = JSON.parse(data);
        out.push(f);
        if (f.t === 'caught_up') return out;
      }
    }
  } finally {
    try { ctl.abort(); } catch (_) { /* already done */ }
  }
  return out;
}

test('lean frames expand to the version 1 posts', async () => {
  server = await startServer();
  const id = await createMeeting(server);
  await server.api('POST', `/api/meetings/${id}/open`);
  const link = await staffLink(server, id, 'moderator', 'Mette', 'Kommunikation');
  const key = link.split('#key=')[1];
  const ex = await fetch(`${server.url}/api/staff-session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }) });
  const mod = (ex.headers.get('set-cookie') || '').match(/bm_[0-9a-f]+=([^;]+)/)[1];
  const karen = await joinHttp(server, id, 'Karen Jensen');
  const bo = await joinHttp(server, id, 'Bo');
  const post = async (who, body, extra = {}) => (await server.api('POST', `/api/meetings/${id}/posts`, { kind: 'comment', body, parent: null, ...extra }, who)).data.post_id;
  const q = await post(karen, 'Hvornår starter byggeriet?', { kind: 'question' });
  const c = await post(karen, 'Jeg bor lige ved havnen og undrer mig over tidsplanen.');
  await post(bo, 'Enig!', { parent: q });
  await post(bo, 'Og parkeringen?');
  await server.api('PUT', `/api/meetings/${id}/posts/${c}/vote`, { up: true }, bo);
  await server.api('POST', `/api/meetings/${id}/posts/${c}/hide`, { reason: 'spam', note: 'nej' }, mod);
  await server.api('POST', `/api/meetings/${id}/room-questions`, { body: 'Og legepladsen?', name: 'Poul fra salen' }, mod);
  await server.api('POST', `/api/meetings/${id}/questions/${q}/claim`, undefined, mod);

  for (const [audience, bearer] of [['public', null], ['staff', mod]]) {
    const v1 = await frames(`/api/meetings/${id}/events?since=0`, bearer);
    const v2 = await frames(`/api/meetings/${id}/events?v=2&since=0`, bearer);
    assert.equal(v2[0].protocol, 2);
    const want = new Map(v1.filter((f) => f.t === 'event').map((f) => [f.seq, f]));
    const authors = new Map();
    let compared = 0;
    for (const f of v2.filter((x) => x.t === 'event')) {
      const got = (f.posts || []).map((p) => { const v = expandPost(p, f.at, audience, authors); assert.ok(v, `seq ${f.seq}: author known`); delete v.by; return v; });
      assert.deepEqual(got, want.get(f.seq).posts || [], `${audience} seq ${f.seq} (${f.type})`);
      compared += (f.posts || []).length;
    }
    assert.ok(compared >= 8, `${audience}: ${compared} posts compared`);
    const bytes = (fs) => fs.filter((f) => f.t === 'event').reduce((n, f) => n + JSON.stringify(f).length, 0);
    assert.ok(bytes(v2) < bytes(v1) * 0.7, `${audience}: v2 ${bytes(v2)} bytes, v1 ${bytes(v1)}`);
  }
});
