/**
 * The client: `Peer`, with its reconnect and queueing behaviour.
 *
 * @example Usage
 * ```ts ignore
 * import { Peer } from "./mod.ts";
 * import { Identity } from "../identity/mod.ts";
 * const peer = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * await peer.connect();
 * ```
 *
 * @module
 */
export * from "./backoff.ts";
export * from "./direct/mod.ts";
export * from "./ledger.ts";
export * from "./services.ts";
export * from "./message_stream.ts";
export * from "./peer.ts";
