// `npm start`: serves the page (public/) and starts the Node peer (peer.mjs) beside it.
// SUPERPEER_URL picks the network (default: the local one of `deno task dev`), PORT the page's
// port (default 5173).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ROOM, startPeer } from "./peer.mjs";

const url = process.env.SUPERPEER_URL || "ws://127.0.0.1:8787";
const port = Number(process.env.PORT || 5173);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css" };

let peer;
try {
  // A network that is not up refuses at once: say so now rather than after the client's
  // patient retries.
  await fetch(new URL("/v1/network", url.replace(/^ws/, "http"))).catch((error) => {
    throw new Error(`nothing answers: ${error.cause?.code ?? error.message}`);
  });
  peer = await startPeer(url);
} catch (error) {
  console.error(`cannot join the network at ${url}: ${error.message}`);
  console.error("start it first (in the superpeer folder: deno task dev), or set SUPERPEER_URL");
  process.exit(1);
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/config.json") {
    // What the page needs: where the network is, the room, and who the Node peer is.
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ url, room: ROOM, nodePeer: peer.peerId }));
  }
  const file = path === "/" ? "index.html" : path.slice(1);
  if (!/^[a-z0-9_-]+\.(html|js|css)$/.test(file)) return res.writeHead(404).end("not found");
  try {
    const body = await readFile(new URL(`./public/${file}`, import.meta.url));
    res.writeHead(200, { "content-type": TYPES[extname(file)] }).end(body);
  } catch {
    res.writeHead(404).end("not found");
  }
});
server.on("error", (error) => {
  console.error(
    error.code === "EADDRINUSE" ? `port ${port} is taken: PORT=<another> npm start` : String(error),
  );
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => console.log(`open http://127.0.0.1:${port}`));
process.on("SIGINT", () => {
  peer.close();
  server.close();
  process.exit(0);
});
