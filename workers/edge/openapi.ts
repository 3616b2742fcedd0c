/**
 * The HTTP API described as an OpenAPI 3.1 document, served at `GET /v1/openapi.json`: every
 * route, its inputs, its answers and its refusals (status and codes), built from the zod
 * schemas the edge checks requests with (`api_schemas.ts`).
 *
 * @module
 */
import { z } from "zod";
import { PROTOCOL_VERSION } from "../../src/protocol/mod.ts";
import {
  API_SCHEMAS,
  HashParam,
  HeightParam,
  HelloQuery,
  ShardParam,
  SizeParam,
} from "./api_schemas.ts";

type Json = Record<string, unknown>;

/** A reference to a named schema. */
const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

/** A schema, inline, without the keys that belong to a whole document. */
function inline(schema: z.ZodType): Json {
  const { $schema: _s, $id: _i, ...rest } = z.toJSONSchema(schema, {
    unrepresentable: "any",
  }) as Json;
  return rest;
}

/** A JSON answer of a named schema. */
function json(description: string, id: string): Json {
  return { description, content: { "application/json": { schema: ref(id) } } };
}

/** A refusal: its status's meaning and the codes it may carry. */
function refusal(codes: string[]): Json {
  return json(`Refused: ${codes.map((c) => `\`${c}\``).join(", ")}.`, "Refusal");
}

const SHARD = {
  name: "k",
  in: "path",
  required: true,
  description: "A shard: a whole number below the shard count.",
  schema: inline(ShardParam),
};

/** Refusals any route may answer. */
const COMMON = {
  "404": refusal(["NOT_FOUND"]),
  "405": refusal(["METHOD_NOT_ALLOWED"]),
  "500": refusal(["INTERNAL"]),
};

function operation(
  summary: string,
  responses: Json,
  more: Json = {},
): Json {
  return { summary, ...more, responses: { ...responses, ...COMMON } };
}

function paths(): Json {
  return {
    "/v1/health": {
      get: operation("The Worker answers.", { "200": json("Healthy.", "HealthAnswer") }),
    },
    "/v1/network": {
      get: operation("The network's public facts.", {
        "200": json("The facts.", "NetworkInfo"),
      }),
    },
    "/v1/limits": {
      get: operation("Every limit in force.", { "200": json("The limits.", "LimitsAnswer") }),
    },
    "/v1/connect": {
      get: operation("Connects a peer: a WebSocket upgrade with a signed hello.", {
        "101": { description: "Switching to the WebSocket of PROTOCOL.md section 5." },
        "400": refusal(["HELLO_MALFORMED"]),
        "401": refusal([
          "HELLO_WRONG_NETWORK",
          "HELLO_STALE",
          "HELLO_BAD_SIGNATURE",
          "HELLO_REPLAYED",
        ]),
        "426": refusal(["UPGRADE_REQUIRED"]),
        "429": refusal(["RATE_LIMITED", "RESOURCE_LIMIT_EXCEEDED"]),
      }, {
        description: "PROTOCOL.md section 4. A valid hello on a plain GET is answered 426, or " +
          "401 HELLO_REPLAYED if its nonce was used.",
        parameters: Object.entries(HelloQuery).map(([name, schema]) => ({
          name,
          in: "query",
          required: true,
          description: schema.description,
          schema: inline(schema),
        })),
      }),
    },
    "/v1/tx": {
      post: operation("Submits transfers, each applied at its payer's home shard.", {
        "200": json("One outcome per transfer.", "TxSubmitAnswer"),
        "400": refusal(["BAD_REQUEST"]),
        "413": refusal(["FRAME_TOO_LARGE", "TX_BATCH_TOO_LARGE"]),
        "429": refusal(["RATE_LIMITED"]),
      }, {
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref("TxSubmitBody") } },
        },
      }),
    },
    "/v1/tx/{hash}": {
      get: operation("Where a transfer stands, with its proof once sealed.", {
        "200": json("Found.", "TxStatus"),
        "400": refusal(["BAD_REQUEST"]),
        "404": refusal(["TX_NOT_FOUND", "NOT_FOUND"]),
        "429": refusal(["RATE_LIMITED"]),
      }, {
        parameters: [
          { name: "hash", in: "path", required: true, schema: inline(HashParam) },
          {
            name: "from",
            in: "query",
            required: false,
            description: "The payer's account: asked at its home at once.",
            schema: ref("AccountId"),
          },
        ],
      }),
    },
    "/v1/accounts/{id}": {
      get: operation("An account's balance and nonce.", {
        "200": json("The account (zero before its first payment).", "AccountView"),
        "400": refusal(["BAD_REQUEST"]),
        "429": refusal(["RATE_LIMITED"]),
      }, { parameters: [{ name: "id", in: "path", required: true, schema: ref("AccountId") }] }),
    },
    "/v1/faucet": {
      post: operation("Pays the faucet amount into an account, where the network has a faucet.", {
        "200": json("Paid (amount, account, hash), or refused by the ledger.", "FaucetAnswer"),
        "400": refusal(["BAD_REQUEST"]),
        "403": refusal(["BAD_REQUEST"]),
        "404": refusal(["FAUCET_DISABLED", "NOT_FOUND"]),
        "413": refusal(["FRAME_TOO_LARGE"]),
        "429": refusal(["RATE_LIMITED"]),
      }, {
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref("FaucetBody") } },
        },
      }),
    },
    "/v1/shards/{k}/head": {
      get: operation("A shard's latest signed block header.", {
        "200": json("The head.", "HeadAnswer"),
        "429": refusal(["RATE_LIMITED"]),
      }, { parameters: [SHARD] }),
    },
    "/v1/shards/{k}/blocks/{height}": {
      get: operation("A shard's block header at a height.", {
        "200": json("The header.", "BlockHeader"),
        "400": refusal(["BAD_REQUEST"]),
        "404": refusal(["BLOCK_NOT_FOUND", "NOT_FOUND"]),
        "429": refusal(["RATE_LIMITED"]),
      }, {
        parameters: [SHARD, {
          name: "height",
          in: "path",
          required: true,
          schema: inline(HeightParam),
        }],
      }),
    },
    ...logPaths(),
    "/v1/shards/{k}/stats": {
      get: operation("One shard's figures.", { "200": json("The figures.", "StatsAnswer") }, {
        parameters: [SHARD],
      }),
    },
    "/v1/metrics": {
      get: operation("Every shard's figures in the Prometheus text format.", {
        "200": {
          description: "The exposition, version 0.0.4 (OPERATIONS.md).",
          content: { "text/plain": { schema: { type: "string" } } },
        },
      }),
    },
    "/v1/client.js": {
      get: operation("The client library as one ES module.", {
        "200": {
          description: "The module (ETag, max-age 3600).",
          content: { "text/javascript": { schema: { type: "string" } } },
        },
        "304": { description: "Not modified (If-None-Match)." },
      }),
    },
    "/v1/client/{file}": {
      get: operation(
        "A part of the client that `/v1/client.js` loads (its imports name them), by content hash.",
        {
          "200": {
            description: "The module (ETag, max-age a year, immutable).",
            content: { "text/javascript": { schema: { type: "string" } } },
          },
          "304": { description: "Not modified (If-None-Match)." },
          "404": { description: "No such module (`NOT_FOUND`)." },
        },
        { parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }] },
      ),
    },
    "/": {
      get: operation("The network page (HTML) for a browser; the list of routes for a tool.", {
        "200": {
          description: "`text/html` when asked for it (`Accept`), else the routes as JSON.",
          content: {
            "text/html": { schema: { type: "string" } },
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  name: { const: "superpeer" },
                  endpoints: { type: "array", items: { type: "string" } },
                  openapi: { type: "string" },
                },
                required: ["name", "endpoints"],
              },
            },
          },
        },
      }),
    },
    "/v1/page.js": {
      get: operation("The network page's script (it imports /v1/client.js).", {
        "200": {
          description: "The module (ETag, max-age 3600).",
          content: { "text/javascript": { schema: { type: "string" } } },
        },
        "304": { description: "Not modified (If-None-Match)." },
      }),
    },
    "/v1/openapi.json": {
      get: operation("This document.", {
        "200": {
          description: "OpenAPI 3.1.",
          content: { "application/json": { schema: { type: "object" } } },
        },
      }),
    },
  };
}

// A number in a path: a log size or an entry's index.
const size = (name: string): Json => ({
  name,
  in: "path",
  required: true,
  schema: inline(SizeParam),
});
const LOG_REFUSALS = {
  "400": refusal(["BAD_REQUEST"]),
  "404": refusal(["LOG_RANGE", "NOT_FOUND"]),
  "429": refusal(["RATE_LIMITED"]),
};

// The shards' logs (`log_routes.ts`, LEDGER.md "The shard's log").
function logPaths(): Json {
  return {
    "/v1/shards/{k}/checkpoint": {
      get: operation("The shard's latest checkpoint: a signed note, as text (not cached).", {
        "200": {
          description:
            "The note; `x-superpeer-height` and `x-superpeer-size` say its block and size.",
          content: { "text/plain": { schema: { type: "string" } } },
        },
        "404": refusal(["CHECKPOINT_NOT_FOUND", "NOT_FOUND"]),
        "429": refusal(["RATE_LIMITED"]),
      }, { parameters: [SHARD] }),
    },
    "/v1/shards/{k}/checkpoints/{height}": {
      get: operation("A block's checkpoint (immutable; the edge's cache answers it again).", {
        "200": json("The checkpoint.", "CheckpointAnswer"),
        "400": refusal(["BAD_REQUEST"]),
        "404": refusal(["CHECKPOINT_NOT_FOUND", "NOT_FOUND"]),
        "429": refusal(["RATE_LIMITED"]),
      }, {
        parameters: [SHARD, {
          name: "height",
          in: "path",
          required: true,
          schema: inline(HeightParam),
        }],
      }),
    },
    "/v1/shards/{k}/consistency/{from}/{to}": {
      get: operation("A consistency proof between two sizes of the log (immutable).", {
        "200": json("The proof.", "ConsistencyAnswer"),
        ...LOG_REFUSALS,
      }, { parameters: [SHARD, size("from"), size("to")] }),
    },
    "/v1/shards/{k}/inclusion/{index}/{size}": {
      get: operation("An inclusion proof of a log entry at a size (immutable).", {
        "200": json("The proof.", "InclusionAnswer"),
        ...LOG_REFUSALS,
      }, { parameters: [SHARD, size("index"), size("size")] }),
    },
    "/v1/shards/{k}/tile/{tile}": {
      get: operation("A hash tile, C2SP tlog-tiles (`tile/<L>/<N>[.p/<W>]`; immutable).", {
        "200": {
          description: "W hashes of 32 bytes (256 for a full tile).",
          content: {
            "application/octet-stream": { schema: { type: "string", contentEncoding: "binary" } },
          },
        },
        ...LOG_REFUSALS,
      }, {
        parameters: [SHARD, {
          name: "tile",
          in: "path",
          required: true,
          description: "The tile's path, slashes included, such as `0/x001/234.p/8`.",
          schema: { type: "string" },
        }],
      }),
    },
    "/v1/accounts/{id}/proof": {
      get: operation("An account's balance proof at its home, against a checkpoint's state root.", {
        "200": json("The proof and its checkpoint.", "BalanceAnswer"),
        "400": refusal(["BAD_REQUEST"]),
        "404": refusal(["CHECKPOINT_NOT_FOUND", "NOT_FOUND"]),
        "429": refusal(["RATE_LIMITED"]),
      }, { parameters: [{ name: "id", in: "path", required: true, schema: ref("AccountId") }] }),
    },
  };
}

function components(): Json {
  const { schemas } = z.toJSONSchema(API_SCHEMAS, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: "any",
  }) as { schemas: Record<string, Json> };
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    out[id] = rest;
  }
  return { schemas: out };
}

let cached: Json | undefined;

/**
 * The OpenAPI 3.1 document of the HTTP API.
 *
 * @example Usage
 * ```ts
 * import { openApiDocument } from "./openapi.ts";
 * const doc = openApiDocument() as { openapi: string; paths: Record<string, unknown> };
 * console.assert(doc.openapi === "3.1.0" && "/v1/tx" in doc.paths);
 * ```
 *
 * @returns The document (the same object each time).
 */
export function openApiDocument(): Json {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "superpeer",
      version: String(PROTOCOL_VERSION),
      description: "The HTTP API of a superpeer network: its facts, the ledger, and its figures. " +
        "Every refusal is `{ok:false,code,message}` with a stable code (PROTOCOL.md section 7); " +
        "every answer carries `access-control-allow-origin: *`.",
    },
    paths: paths(),
    components: components(),
  };
  return cached;
}
