/**
 * The schema of every control request, and the check the super-peer runs on each before it
 * dispatches it by its `t` (the types are `control_map.ts`). The network's side only: the
 * client sends what its types allow and never parses a request, so it carries no schema
 * library. Not exported by `superpeer/protocol` for the same reason.
 *
 * @module
 */
import { z } from "zod";
import { isPeerId } from "../identity/peer_id.ts";
import {
  type ControlRequest,
  type ControlType,
  PUBLISH_SIGNATURE_CHARS,
  type RequestRefusal,
} from "./control_map.ts";

const id = z.number().int().nonnegative();
const peerId = z.string().min(1).max(64);
// Topic names are checked by the super-peer (`isTopic`), which answers `BAD_REQUEST`.
const topic = z.string().max(1_024);

// One schema per request type; the keys are the `t` a peer sends.
const REQUEST_SCHEMAS = {
  tx: z.object({ t: z.literal("tx"), id, txs: z.array(z.unknown()) }),
  // The account id is checked once the request parsed (`BAD_REQUEST`, see `valueRefusal`).
  account: z.object({ t: z.literal("account"), id, account: z.string() }),
  blocks: z.object({ t: z.literal("blocks"), id, shard: z.number().int().nonnegative() }),
  cosign: z.object({
    t: z.literal("cosign"),
    id,
    shard: z.number().int().nonnegative(),
    height: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    // One signature line: the em dash, the name, base64 of 76 bytes (a name is 1-255 bytes).
    cosignature: z.string().max(400),
  }),
  evidence: z.object({ t: z.literal("evidence"), id, evidence: z.unknown() }),
  // The ask's numbers and account are checked by the shard (`answerLog`, `BAD_REQUEST`).
  log: z.object({
    t: z.literal("log"),
    id,
    shard: z.number().int().nonnegative(),
    ask: z.union([
      z.object({ kind: z.literal("checkpoint"), height: z.number().optional() }),
      z.object({ kind: z.literal("consistency"), from: z.number(), to: z.number() }),
      z.object({ kind: z.literal("inclusion"), index: z.number(), size: z.number() }),
      z.object({ kind: z.literal("balance"), account: z.string().max(64) }),
    ]),
  }),
  sub: z.object({ t: z.literal("sub"), id, topic }),
  unsub: z.object({ t: z.literal("unsub"), id, topic }),
  pub: z.object({
    t: z.literal("pub"),
    id,
    topic,
    n: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    data: z.string(),
    bin: z.boolean().optional(),
    // Carried as they are: the subscribers check them, the network cannot.
    sealed: z.boolean().optional(),
    sig: z.string().length(PUBLISH_SIGNATURE_CHARS).regex(/^[A-Za-z0-9_-]+$/).optional(),
  }),
  "topic.ack": z.object({
    t: z.literal("topic.ack"),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  peers: z.object({
    t: z.literal("peers"),
    id,
    count: z.number().int().positive(),
    topic: topic.optional(),
  }),
  lookup: z.object({ t: z.literal("lookup"), id, peer: peerId }),
  mail: z.object({
    t: z.literal("mail"),
    id,
    to: peerId,
    data: z.string(),
    bin: z.boolean().optional(),
    notify: z.boolean().optional(),
    sealed: z.boolean().optional(),
  }),
  "mail.ack": z.object({ t: z.literal("mail.ack"), mids: z.array(z.string().max(64)).max(1_024) }),
  // Content ids and bitfields are checked by the super-peer, which answers with their codes.
  provide: z.object({
    t: z.literal("provide"),
    id,
    root: z.string().max(100),
    have: z.string().max(45_000).optional(),
  }),
  unprovide: z.object({ t: z.literal("unprovide"), id, root: z.string().max(100) }),
  providers: z.object({
    t: z.literal("providers"),
    id,
    root: z.string().max(100),
    count: z.number().int().positive().optional(),
  }),
  // The counts' bound in force (`ROUTES_MAX_PAIRS`) is the network's to check.
  routes: z.object({
    t: z.literal("routes"),
    id,
    direct: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    turn: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    relay: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    turnBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
} as const;

/**
 * The `t` of every control request.
 *
 * @example Usage
 * ```ts
 * import { CONTROL_TYPES } from "./control_parse.ts";
 * console.assert(CONTROL_TYPES.has("tx") && CONTROL_TYPES.has("sub"));
 * ```
 */
export const CONTROL_TYPES: ReadonlySet<string> = new Set(Object.keys(REQUEST_SCHEMAS));

// What a schema cannot say: a request of the right form whose value is wrong (a string that
// is no account id) is `BAD_REQUEST`, as over HTTP; `BAD_FRAME` is for what does not parse
// (PROTOCOL section 7).
function valueRefusal(request: ControlRequest): string | undefined {
  if (request.t === "account" && !isPeerId(request.account)) return "Not an account id";
  return undefined;
}

/**
 * Checks a control request (already parsed from JSON) against its schema. Never throws.
 *
 * @example Usage
 * ```ts
 * import { parseControlRequest } from "./control_parse.ts";
 * console.assert(parseControlRequest({ t: "sub", id: 1, topic: "news" }).ok);
 * const r = parseControlRequest({ t: "nope", id: 4 });
 * console.assert(!r.ok && r.code === "UNKNOWN_FRAME_TYPE" && r.id === 4);
 * ```
 *
 * @param value The parsed JSON.
 * @returns The request, or a refusal carrying the request's `id` when it has a usable one:
 *   `UNKNOWN_FRAME_TYPE` for an unknown `t`, `BAD_FRAME` for a request not of its form,
 *   `BAD_REQUEST` for one of its form with a wrong value (an account id that is none).
 */
export function parseControlRequest(
  value: unknown,
): { ok: true; request: ControlRequest } | RequestRefusal {
  const v = value as { t?: unknown; id?: unknown } | null;
  const t = typeof v === "object" && v !== null ? v.t : undefined;
  const rawId = typeof v === "object" && v !== null ? v.id : undefined;
  const requestId = typeof rawId === "number" && Number.isSafeInteger(rawId) && rawId >= 0
    ? rawId
    : undefined;
  if (typeof t !== "string" || !Object.hasOwn(REQUEST_SCHEMAS, t)) {
    return typeof t === "string"
      ? {
        ok: false,
        code: "UNKNOWN_FRAME_TYPE",
        message: `Control message "${t.slice(0, 32)}" is not defined`,
        id: requestId,
      }
      : {
        ok: false,
        code: "BAD_FRAME",
        message: "Control message is malformed: it has no string field t",
        id: requestId,
      };
  }
  const result = REQUEST_SCHEMAS[t as ControlType].safeParse(value);
  if (result.success) {
    const request = result.data as ControlRequest;
    const wrong = valueRefusal(request);
    if (wrong) return { ok: false, code: "BAD_REQUEST", message: wrong, id: requestId };
    return { ok: true, request };
  }
  return {
    ok: false,
    code: "BAD_FRAME",
    message: `Control message is malformed: ${result.error.issues[0]?.message ?? "malformed"}`,
    id: requestId,
  };
}
