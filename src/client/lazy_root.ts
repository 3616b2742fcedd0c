/**
 * What the package's root names from file sharing, the ledger and direct channels, loaded on
 * first call. The
 * root keeps their names and types (a user's code does not change); their code comes with the
 * part that needs it, so that a page whose client never stores a file nor checks a proof by
 * hand does not load the piece tree, the file log, the Merkle walk, SHA-256 or WebRTC's glue
 * before its first message. Each function here is the one of the same name in its own module, called through a
 * dynamic `import`, which a bundler splits into a chunk of its own.
 *
 * @module
 */
import type { PieceStoreFactory } from "../swarm/piece_store.ts";
import type { DirectTransportFactory } from "./direct/transport.ts";
import type { SignedBlockHeader } from "../ledger/block.ts";
import type { NetworkKeys } from "../ledger/proof.ts";
import type { Refusal, TxProof } from "../protocol/mod.ts";

/**
 * Pieces kept in a file on disk (Deno and Node), so that a fetch resumes where it stopped
 * after a restart: {@link import("../swarm/file_store.ts").fileStore}, loaded on first use.
 *
 * @example Usage
 * ```ts ignore
 * import { fileStore } from "./lazy_root.ts";
 * await peer.swarm.fetch(id, { store: fileStore("./film.mkv") });
 * ```
 *
 * @param path Where the file goes (a `.part` log beside it while the fetch runs).
 * @returns The store's factory.
 */
export function fileStore(path: string): PieceStoreFactory {
  return async (id) => (await import("../swarm/file_store.ts")).fileStore(path)(id);
}

/**
 * Checks a transfer's proof offline, against the network's keys alone:
 * {@link import("../ledger/proof.ts").verifyTxProof}, loaded on first use.
 *
 * @example Usage
 * ```ts ignore
 * import { verifyTxProof } from "./lazy_root.ts";
 * const status = await peer.ledger.status(hash);
 * console.log(status.proof && await verifyTxProof(status.proof, await peer.ledger.network()));
 * ```
 *
 * @param p The proof.
 * @param keys The network id and shard keys.
 * @returns `{ ok: true }`, or a `PROOF_INVALID` refusal naming the first check that failed.
 */
export async function verifyTxProof(
  p: TxProof,
  keys: NetworkKeys,
): Promise<{ ok: true } | Refusal> {
  return (await import("../ledger/proof.ts")).verifyTxProof(p, keys);
}

/**
 * Checks a block header's signature by its shard's key:
 * {@link import("../ledger/proof.ts").verifyBlockHeader}, loaded on first use.
 *
 * @example Usage
 * ```ts ignore
 * import { verifyBlockHeader } from "./lazy_root.ts";
 * peer.on("block", async (header) => console.log(await verifyBlockHeader(header, network)));
 * ```
 *
 * @param header The signed header.
 * @param keys The network id and shard keys.
 * @returns Whether it is one the shard signed.
 */
export async function verifyBlockHeader(
  header: SignedBlockHeader,
  keys: NetworkKeys,
): Promise<boolean> {
  return (await import("../ledger/proof.ts")).verifyBlockHeader(header, keys);
}

/**
 * Direct channels on the runtime's own `RTCPeerConnection` (browsers), if it has one:
 * {@link import("./direct/browser_transport.ts").browserTransport}, whose code loads when the
 * first channel is made.
 *
 * @example Usage
 * ```ts
 * import { browserTransport } from "./lazy_root.ts";
 * const factory = browserTransport(); // undefined in Deno
 * console.assert(factory === undefined || typeof factory === "function");
 * ```
 *
 * @returns The factory, or `undefined` where the runtime has no WebRTC.
 */
export function browserTransport(): DirectTransportFactory | undefined {
  if (!(globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection) return undefined;
  return async (options) => {
    const { browserTransport } = await import("./direct/browser_transport.ts");
    return browserTransport()!(options);
  };
}
