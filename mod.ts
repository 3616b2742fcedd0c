/**
 * superpeer: a peer-to-peer network whose super-peers are Cloudflare Durable Objects.
 * A client needs a WebSocket URL and a key.
 *
 * @example Two peers talk
 * ```ts ignore
 * import { Identity, Peer } from "./mod.ts";
 * const alice = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * const bob = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * await Promise.all([alice.connect(), bob.connect()]);
 * alice.send(bob.peerId, "hello");
 * const { value } = await bob.messages().next();
 * console.log(value.from === alice.peerId, value.data);
 * ```
 *
 * @module
 */
export * from "./src/client/mod.ts";
export * from "./src/identity/mod.ts";
export * from "./src/ledger/mod.ts";
export * from "./src/protocol/mod.ts";
export * from "./src/routing/mod.ts";
export * from "./src/swarm/mod.ts";
