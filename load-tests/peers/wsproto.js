// Minimal subscriber clients for the two peers, speaking their wire protocols by hand over the
// `ws` package (no socket.io-client), exactly as the Rust load generator has to. Used by the
// smoke check, the frame capture and the idle-RSS probe, so all three exercise one definition.
"use strict";

const path = require("node:path");
const { createRequire } = require("node:module");

// `ws` is installed with the Socket.IO peer (load-tests/peers/setup runs npm ci there).
const WebSocket = createRequire(path.join(__dirname, "socketio", "package.json"))("ws");

// Socket.IO (Engine.IO v4 + Socket.IO v5 over WebSocket). Calls onComment(payload) for every
// `42["comment",payload]`; answers pings; resolves `ready` once the server sent `40{...}`.
function socketioSubscriber(port, meeting, { onComment = () => {}, onFrame = () => {} } = {}) {
  const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&meeting=${encodeURIComponent(meeting)}`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const ready = new Promise((resolve, reject) => {
    ws.on("error", reject);
    ws.on("close", (code) => reject(new Error(`closed before connect (${code})`)));
    ws.on("message", (data, isBinary) => {
      const text = data.toString("utf8");
      onFrame("in", text, isBinary);
      if (text.startsWith("0")) {
        // Engine.IO open packet; connect to the default namespace.
        ws.send("40");
        onFrame("out", "40", false);
      } else if (text.startsWith("40")) {
        resolve();
      } else if (text === "2") {
        // Engine.IO ping from the server: the client must answer pong within pingTimeout.
        ws.send("3");
        onFrame("out", "3", false);
      } else if (text.startsWith("42")) {
        const [event, payload] = JSON.parse(text.slice(2));
        if (event === "comment") onComment(payload);
      }
    });
  });
  return { ws, ready };
}

// Nchan WebSocket subscriber: every published message is one text frame holding the body.
function nchanSubscriber(port, channel, { onComment = () => {}, onFrame = () => {} } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/sub/${encodeURIComponent(channel)}`, {
    perMessageDeflate: false,
  });
  ws.on("ping", (data) => onFrame("in", `<ping frame ${data.length} bytes>`, false));
  ws.on("message", (data, isBinary) => {
    const text = data.toString("utf8");
    onFrame("in", text, isBinary);
    onComment(JSON.parse(text));
  });
  const ready = new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("error", reject);
    ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { ws, ready };
}

async function httpPost(url, body, headers = {}) {
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

module.exports = { WebSocket, socketioSubscriber, nchanSubscriber, httpPost };
