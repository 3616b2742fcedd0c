/**
 * The messages peers exchange about content, as bytes (big-endian). Every message starts
 * with its type and the content id it is about (32-byte root, 8-byte size):
 *
 * ```
 * REQUEST   1 | root | size | index u32            ask for a piece
 * PIECE     2 | root | size | index u32 | k u8 | k × 32-byte path | piece bytes
 * HAVE      3 | root | size | index u32            "I have this piece now" (partial seeding)
 * BITFIELD  4 | root | size | bits                 which pieces the sender has
 * REJECT    5 | root | size | index u32 | code u8  not served: 1 not held, 2 busy, 3 no such piece
 * CANCEL    6 | root | size | index u32            no longer wanted (another sent it)
 * ```
 *
 * A PIECE with its path fits one frame: 16 KiB of piece, at most 32 path hashes.
 *
 * @module
 */
import { type ContentId, contentId } from "./content_id.ts";

/** Message types. */
export const SWARM = {
  REQUEST: 1,
  PIECE: 2,
  HAVE: 3,
  BITFIELD: 4,
  REJECT: 5,
  CANCEL: 6,
} as const;

/** Why a request was not served. */
export const REJECT_CODES = { NOT_HELD: 1, BUSY: 2, OUT_OF_RANGE: 3 } as const;

/** Bytes before a message's own fields: type, root, size. */
const HEAD = 1 + 32 + 8;

/** A decoded swarm message. */
export type SwarmMessage =
  | { type: typeof SWARM.REQUEST; id: ContentId; index: number }
  | {
    type: typeof SWARM.PIECE;
    id: ContentId;
    index: number;
    proof: Uint8Array[];
    piece: Uint8Array;
  }
  | { type: typeof SWARM.HAVE; id: ContentId; index: number }
  | { type: typeof SWARM.BITFIELD; id: ContentId; bits: Uint8Array }
  | { type: typeof SWARM.REJECT; id: ContentId; index: number; code: number }
  | { type: typeof SWARM.CANCEL; id: ContentId; index: number };

function head(type: number, id: ContentId, rest: number): { out: Uint8Array; view: DataView } {
  const out = new Uint8Array(HEAD + rest);
  const view = new DataView(out.buffer);
  out[0] = type;
  out.set(id.root, 1);
  view.setBigUint64(33, BigInt(id.size));
  return { out, view };
}

/**
 * Encodes a swarm message.
 *
 * @example Usage
 * ```ts
 * import { contentId } from "./content_id.ts";
 * import { decodeSwarm, encodeSwarm, SWARM } from "./wire.ts";
 * const id = contentId(new Uint8Array(32), 100);
 * const bytes = encodeSwarm({ type: SWARM.REQUEST, id, index: 0 });
 * const back = decodeSwarm(bytes);
 * console.assert(back?.type === SWARM.REQUEST && back.index === 0 && back.id.text === id.text);
 * ```
 *
 * @param m The message.
 * @returns Its bytes.
 */
export function encodeSwarm(m: SwarmMessage): Uint8Array {
  switch (m.type) {
    case SWARM.PIECE: {
      const { out, view } = head(m.type, m.id, 4 + 1 + 32 * m.proof.length + m.piece.length);
      view.setUint32(HEAD, m.index);
      out[HEAD + 4] = m.proof.length;
      m.proof.forEach((p, k) => out.set(p, HEAD + 5 + 32 * k));
      out.set(m.piece, HEAD + 5 + 32 * m.proof.length);
      return out;
    }
    case SWARM.BITFIELD: {
      const { out } = head(m.type, m.id, m.bits.length);
      out.set(m.bits, HEAD);
      return out;
    }
    case SWARM.REJECT: {
      const { out, view } = head(m.type, m.id, 5);
      view.setUint32(HEAD, m.index);
      out[HEAD + 4] = m.code;
      return out;
    }
    default: {
      const { out, view } = head(m.type, m.id, 4);
      view.setUint32(HEAD, m.index);
      return out;
    }
  }
}

/**
 * Decodes a swarm message. Never throws: anything malformed (unknown type, wrong length, a
 * path longer than 32 or hashes cut short) is `undefined`. The piece itself is not checked
 * here: that is `verifyPiece`'s work.
 *
 * @example Usage
 * ```ts
 * import { decodeSwarm } from "./wire.ts";
 * console.assert(decodeSwarm(new Uint8Array([9])) === undefined);
 * ```
 *
 * @param bytes The bytes.
 * @returns The message, or `undefined`.
 */
export function decodeSwarm(bytes: Uint8Array): SwarmMessage | undefined {
  if (bytes.length < HEAD) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getBigUint64(33);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const id = contentId(bytes.slice(1, 33), Number(size));
  const type = bytes[0];
  const rest = bytes.length - HEAD;
  const index = rest >= 4 ? view.getUint32(HEAD) : -1;
  switch (type) {
    case SWARM.REQUEST:
    case SWARM.HAVE:
    case SWARM.CANCEL:
      return rest === 4 ? { type, id, index } : undefined;
    case SWARM.REJECT:
      return rest === 5 ? { type, id, index, code: bytes[HEAD + 4] } : undefined;
    case SWARM.BITFIELD:
      return { type, id, bits: bytes.slice(HEAD) };
    case SWARM.PIECE: {
      if (rest < 5) return undefined;
      const k = bytes[HEAD + 4];
      if (k > 32 || rest < 5 + 32 * k) return undefined;
      const proof = Array.from(
        { length: k },
        (_, j) => bytes.slice(HEAD + 5 + 32 * j, HEAD + 37 + 32 * j),
      );
      return { type, id, index, proof, piece: bytes.slice(HEAD + 5 + 32 * k) };
    }
    default:
      return undefined;
  }
}
