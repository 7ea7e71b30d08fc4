// A small HTTP proxy between the browser and the server that plays the networks that break
// WebSockets: a corporate proxy that refuses the upgrade, one that swallows it (hangs), and a
// line that dies silently (no close, no bytes) under an open WebSocket or SSE stream. Plain
// HTTP (pages, commands, a new SSE stream) always passes.

import http from 'node:http';
import net from 'node:net';

export async function startProxy(targetPort) {
  const state = { mode: 'pass', upgrades: 0, sse: 0, live: new Set(), target: targetPort };
  const server = http.createServer((req, res) => {
    const events = req.url.includes('/events');
    if (events) state.sse += 1;
    const up = http.request({ host: '127.0.0.1', port: state.target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      if (!events) { r.pipe(res); return; }
      // The SSE stream by hand too, so that it can go silent like a WebSocket.
      const conn = { socket: res.socket, upstream: r.socket, dead: false, sse: true };
      state.live.add(conn);
      r.on('data', (d) => { if (!conn.dead) res.write(d); });
      r.on('end', () => { if (!conn.dead) res.end(); });
      res.on('close', () => { state.live.delete(conn); r.destroy(); });
    });
    up.on('error', () => { try { res.destroy(); } catch (_) { /* gone */ } });
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    state.upgrades += 1;
    socket.on('error', () => {});
    if (state.mode === 'refuse') { socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'); return; }
    if (state.mode === 'hang') { state.live.add({ socket, upstream: null }); return; } // never answered
    const upstream = net.connect(state.target, '127.0.0.1');
    const conn = { socket, upstream, dead: false };
    state.live.add(conn);
    upstream.on('error', () => socket.destroy());
    upstream.on('connect', () => {
      let headers = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${headers}\r\n`);
      if (head && head.length) upstream.write(head);
      // Relay by hand (not pipe) so that a "dead" line can drop bytes both ways.
      socket.on('data', (d) => { if (!conn.dead) upstream.write(d); });
      upstream.on('data', (d) => { if (!conn.dead) socket.write(d); });
      socket.on('close', () => { upstream.destroy(); state.live.delete(conn); });
      upstream.on('close', () => { if (!conn.dead) socket.destroy(); });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    state,
    setMode(m) { state.mode = m; },
    /** Every open WebSocket and SSE stream (only the SSE streams with `'sse'`) goes silent:
     *  nothing is relayed, nothing is closed. @param {'sse'} [only] */
    killSilently(only) { for (const c of state.live) if (!only || c.sse) c.dead = true; },
    async close() {
      for (const c of state.live) { if (c.socket) c.socket.destroy(); if (c.upstream) c.upstream.destroy(); }
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
