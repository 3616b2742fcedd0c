/**
 * Serves the chat example (`examples/chat.html`) on its own origin, the way any site would
 * host a page that uses a superpeer network. The page loads the client from the network
 * itself (`/v1/client.js`).
 *
 * Usage: `deno task example:chat` (then open the URL it prints, in two tabs); `PORT` (default
 * 8788) moves the page, `SUPERPEER_URL` (default `http://127.0.0.1:8787`) picks the network.
 *
 * @module
 */

const PAGE = new URL("../examples/chat.html", import.meta.url);

/**
 * Serves the chat page.
 *
 * @example Usage
 * ```ts
 * import { serveChat } from "./example_chat.ts";
 * const server = serveChat(0);
 * const page = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.assert((await page.text()).includes("superpeer chat"));
 * await server.shutdown();
 * ```
 *
 * @param port The port (0: any free one).
 * @returns The server.
 */
export function serveChat(port: number): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path !== "/" && path !== "/chat.html") return new Response("Not found", { status: 404 });
    return new Response(await Deno.readTextFile(PAGE), {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  });
}

if (import.meta.main) {
  const network = (Deno.env.get("SUPERPEER_URL") || "http://127.0.0.1:8787")
    .replace(/^ws/, "http");
  const port = Number(Deno.env.get("PORT") || 8788);
  const server = serveChat(port);
  const url = `http://127.0.0.1:${server.addr.port}/?network=${encodeURIComponent(network)}`;
  console.log(
    `chat example at ${url}\nopen it in two tabs (the network must be up: deno task dev)`,
  );
}
