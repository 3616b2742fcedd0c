/**
 * `peer.ledger` before the ledger's code is loaded: each of its methods loads the ledger client
 * on first use, so that a page that never pays or checks a proof never downloads it.
 *
 * @module
 */
import type { PeerLedger, PeerLedgerOptions } from "./peer_ledger.ts";
import { lazyMethods } from "./lazy.ts";

/** `peer.ledger`: the {@linkcode PeerLedger} methods, its code loaded on the first call. */
export type LedgerApi = Pick<
  PeerLedger,
  | "watchBlocks"
  | "network"
  | "balance"
  | "sign"
  | "transfer"
  | "submit"
  | "status"
  | "waitForBlock"
  | "verify"
  | "start"
  | "witnessKey"
  | "checkpoint"
  | "proveBalance"
>;

/** The ledger's methods a peer offers (`peer.ledger`): those of {@linkcode LedgerApi}. */
export const LEDGER_METHODS: readonly (keyof LedgerApi)[] = [
  "watchBlocks",
  "network",
  "balance",
  "sign",
  "transfer",
  "submit",
  "status",
  "waitForBlock",
  "verify",
  "start",
  "witnessKey",
  "checkpoint",
  "proveBalance",
];

/**
 * The ledger client of one peer, loaded on its first call.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { lazyLedger } from "./lazy_ledger.ts";
 * const ledger = lazyLedger({
 *   url: "http://localhost:8787",
 *   fetch: () => Promise.reject(new Error("offline")),
 *   identity: await Identity.generate(),
 *   request: () => Promise.reject(new Error("offline")),
 *   isOpen: () => false,
 *   onOpen: () => {},
 * });
 * console.assert(typeof ledger.transfer === "function"); // nothing loaded until it is called
 * ```
 *
 * @param options As for {@linkcode PeerLedger}.
 * @returns Its stand-in.
 */
export function lazyLedger(options: PeerLedgerOptions): LedgerApi {
  return lazyMethods(async () => {
    const { PeerLedger } = await import("./peer_ledger.ts");
    return new PeerLedger(options);
  }, LEDGER_METHODS);
}
