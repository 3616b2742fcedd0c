/**
 * Serves the chat example (`examples/chat.html`) on its own origin, the way any site would
 * host a page that uses a superpeer network. The page loads the client from the network
 * itself (`/v1/client.js`).
 *
 * Usage: `deno task example:chat` (then open the URL it prints, in two tabs); `CHAT_PORT`
 * (default 8788) moves the page; `SUPERPEER_URL` picks the network, or `PORT` as `deno task dev`
 * reads it (the network's port on this machine; default `http://127.0.0.1:8787`).
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

/**
 * Where the chat example's page goes and which network it uses, from the environment: `PORT`
 * means what it means to `deno task dev`, the network's port, never the page's.
 *
 * @example Usage
 * ```ts
 * import { chatSettings } from "./example_chat.ts";
 * const s = chatSettings({ PORT: "8811" });
 * console.assert(s.network === "http://127.0.0.1:8811" && s.port === 8788);
 * ```
 *
 * @param env The environment's variables.
 * @returns The page's port and the network's URL.
 * @throws {RangeError} A port that is not one.
 */
export function chatSettings(env: Record<string, string | undefined>): {
  port: number;
  network: string;
} {
  const port = Number(env.CHAT_PORT || 8788);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`CHAT_PORT must be a port number, got "${env.CHAT_PORT}"`);
  }
  const network = (env.SUPERPEER_URL ||
    (env.PORT ? `http://127.0.0.1:${env.PORT}` : "http://127.0.0.1:8787")).replace(/^ws/, "http");
  return { port, network };
}

if (import.meta.main) {
  let settings: { port: number; network: string };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    settings = chatSettings(Deno.env.toObject());
    server = serveChat(settings.port);
  } catch (error) {
    console.error(
      error instanceof Deno.errors.AddrInUse
        ? `port ${
          Deno.env.get("CHAT_PORT") || 8788
        } is in use; choose another: CHAT_PORT=8790 deno task example:chat`
        : (error as Error).message,
    );
    Deno.exit(2);
  }
  const url = `http://127.0.0.1:${server.addr.port}/?network=${
    encodeURIComponent(settings.network)
  }`;
  console.log(
    `chat example at ${url}\nopen it in two tabs (the network must be up: deno task dev)`,
  );
}
