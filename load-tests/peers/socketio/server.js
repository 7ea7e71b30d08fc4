// Socket.IO peer for the borgermode benchmarks: one instance of a Socket.IO 4.8 server that fans a
// meeting's comments out to a room, sharing rooms with its sibling instances through Redis
// (sharded Pub/Sub adapter). Set up as Socket.IO's own docs advise for production; see ../README.md.
//
//   WebSocket  ws://HOST:PORT/socket.io/?EIO=4&transport=websocket&meeting=<id>  -> joined to room <id>
//   POST /publish/<id>  (JSON body)  -> io.to(id).emit("comment", body); 204
//   GET  /healthz                    -> 200 once Redis is connected and the port is bound
//
// Settings come from the environment (the start script sets them) so one process has one config:
//   PORT (required), REDIS_URL (default redis://127.0.0.1:6379), PEER_PREFIX (Redis channel
//   prefix, default "borgermode-peer-sio"), PING_INTERVAL_MS / PING_TIMEOUT_MS (Socket.IO
//   defaults 25000 / 20000), HOST (default 127.0.0.1).
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { createClient } = require("redis");
const { createShardedAdapter } = require("@socket.io/redis-adapter");

// Publish bodies are ~200-byte comments; anything far larger is a client bug, not a benchmark load.
const MAX_BODY_BYTES = 64 * 1024;

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function settingsFromEnv() {
  return {
    host: process.env.HOST || "127.0.0.1",
    port: intFromEnv("PORT", undefined),
    redisUrl: process.env.REDIS_URL || "redis://127.0.0.1:6379",
    prefix: process.env.PEER_PREFIX || "borgermode-peer-sio",
    pingInterval: intFromEnv("PING_INTERVAL_MS", 25000),
    pingTimeout: intFromEnv("PING_TIMEOUT_MS", 20000),
  };
}

function reply(res, status, body) {
  res.writeHead(status, body ? { "content-type": "text/plain" } : {});
  res.end(body);
}

// Handles the plain HTTP routes; Socket.IO answers /socket.io/ itself before this runs.
function handleHttp(io, ready, req, res) {
  if (req.method === "GET" && req.url === "/healthz") {
    return ready() ? reply(res, 200, "ok\n") : reply(res, 503, "starting\n");
  }
  const match = /^\/publish\/([^/?#]+)$/.exec(req.url);
  if (!match) return reply(res, 404, "not found\n");
  if (req.method !== "POST") return reply(res, 405, "method not allowed\n");
  let room;
  try {
    room = decodeURIComponent(match[1]);
  } catch {
    return reply(res, 400, "bad meeting id\n");
  }
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, "body too large\n");
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (res.writableEnded) return;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(res, 400, "body must be JSON\n");
    }
    // Local sockets get it now; the adapter SPUBLISHes it for the sibling instances.
    io.to(room).emit("comment", body);
    reply(res, 204);
  });
}

async function main() {
  const settings = settingsFromEnv();
  if (!settings.port) throw new Error("PORT is required");

  // Socket.IO's redis-adapter docs: "For new developments, we recommend using the sharded
  // adapter" (Redis >= 7.0). The sharded adapter needs the `redis` package (ioredis cannot
  // do sharded Pub/Sub, redis/ioredis#1759).
  const pubClient = createClient({ url: settings.redisUrl });
  const subClient = pubClient.duplicate();
  for (const client of [pubClient, subClient]) {
    client.on("error", (err) => console.error(`redis: ${err.message}`));
  }
  await Promise.all([pubClient.connect(), subClient.connect()]);

  // Routes are registered before Socket.IO attaches: engine.io then hands them every request
  // outside /socket.io/ (a listener added afterwards would also see Socket.IO's own requests).
  let io = null;
  let listening = false;
  const ready = () => listening && pubClient.isReady && subClient.isReady;
  const httpServer = http.createServer((req, res) => handleHttp(io, ready, req, res));
  io = new Server(httpServer, {
    // WebSocket only: no long-polling, so no sticky sessions are needed between instances.
    transports: ["websocket"],
    // Production: no client bundle served, no compression (ws docs: permessage-deflate costs
    // CPU and memory per connection). false is the engine.io default; stated for the reader.
    serveClient: false,
    perMessageDeflate: false,
    pingInterval: settings.pingInterval,
    pingTimeout: settings.pingTimeout,
    adapter: createShardedAdapter(pubClient, subClient, {
      channelPrefix: settings.prefix,
      subscriptionMode: "dynamic",
    }),
  });

  // Socket.IO's "Memory usage" page: a reference to each session's first HTTP request is kept
  // unless discarded with `rawSocket.request = null`. Take the meeting id from it first (this
  // listener runs before the client's CONNECT, so socket.handshake.query would then be empty).
  io.engine.on("connection", (rawSocket) => {
    const meeting = rawSocket.request._query.meeting;
    rawSocket.meeting = typeof meeting === "string" && meeting.length > 0 ? meeting : null;
    rawSocket.request = null;
  });
  io.on("connection", (socket) => {
    if (socket.conn.meeting) socket.join(socket.conn.meeting);
  });

  // Many connections arrive at once in the benchmarks; the kernel caps this at somaxconn.
  httpServer.listen({ host: settings.host, port: settings.port, backlog: 65535 }, () => {
    listening = true;
    console.log(`socketio peer pid=${process.pid} listening on ${settings.host}:${settings.port} ` +
      `redis=${settings.redisUrl} prefix=${settings.prefix} node_env=${process.env.NODE_ENV}`);
  });

  const shutdown = () => {
    io.close();
    Promise.allSettled([pubClient.quit(), subClient.quit()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((err) => {
  console.error(`socketio peer failed: ${err.stack || err}`);
  process.exit(1);
});
