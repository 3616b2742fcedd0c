/**
 * The network's config, read once per isolate from the Worker's vars.
 *
 * @module
 */
import { z } from "zod";
import type { DurableObjectNamespace } from "cloudflare:workers";
import { type Limits, NETWORK_ID_PATTERN, resolveLimits } from "../src/protocol/mod.ts";
import { assertShardCount, Placement } from "../src/routing/mod.ts";
import { isPeerId } from "../src/identity/peer_id.ts";
import { DEVELOPMENT_NETWORK_SECRET } from "./shard_keys.ts";
import type { IceServer } from "../src/protocol/mod.ts";
import type { SuperPeerRpc } from "./rpc.ts";

/** Cloudflare's Rate Limiting binding, as the edge uses it (`workers/edge/edge_shed.ts`). */
export interface EdgeRateLimiter {
  /** Counts one request under `key`; `success: false` once the window's limit is spent. */
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** A service binding to a verifier (`workers/verifier.ts`). */
export interface VerifierBinding {
  /** Asks it. */
  fetch(request: Request): Promise<Response>;
}

/** The Worker's bindings and vars (see `wrangler.toml`). */
export interface Env {
  /** The super-peer Durable Object namespace. */
  SUPER_PEER: DurableObjectNamespace<SuperPeerRpc>;
  /**
   * The stateless verifier that checks transfers' signatures before a shard orders them: this
   * Worker's own `Verifier` entrypoint (`[[services]]`). Absent: the caller checks them itself.
   */
  VERIFIER?: VerifierBinding;
  /**
   * More verifiers beside `VERIFIER`, called in turn with it: for a local network whose
   * verifiers run in processes of their own (on Cloudflare, one binding spreads its calls).
   */
  VERIFIER_1?: VerifierBinding;
  /** As `VERIFIER_1`. */
  VERIFIER_2?: VerifierBinding;
  /** As `VERIFIER_1`. */
  VERIFIER_3?: VerifierBinding;
  /**
   * The Rate Limiting binding that sheds floods per client address at the edge
   * (`[[ratelimits]]`, limit `EDGE_REQUESTS_PER_10_SECONDS`). Absent: nothing is shed there.
   */
  EDGE_LIMITER?: EdgeRateLimiter;
  /** The network id, e.g. `dev`. */
  NETWORK_ID: string;
  /** The fixed shard count of the network, as text. */
  SHARD_COUNT: string;
  /**
   * More origins peers may dial this network on, comma-separated (`https://net.example`), as
   * their hellos sign them, beside the origin of each request itself (on Cloudflare a hostname
   * routed to this Worker). Set it where a proxy in front of the network changes the host the
   * Worker sees.
   */
  NETWORK_ORIGINS?: string;
  /**
   * A closed network's members: peer ids, comma-separated (at most `ADMISSION_ALLOW_MAX`).
   * Set, or with `INVITE_KEYS` set, only these and invited peers connect; unset, both: open.
   */
  ADMISSION_ALLOW?: string;
  /**
   * The keys whose invitations admit a peer: peer ids, comma-separated (at most
   * `INVITE_KEYS_MAX`). Set, the network is closed to peers neither invited nor listed.
   */
  INVITE_KEYS?: string;
  /** Optional JSON object of limit overrides, e.g. `{"RATE_LIMIT_FRAMES_PER_SECOND":5000}`. */
  LIMIT_OVERRIDES?: string;
  /** The network secret shard signing keys derive from (a Worker secret). */
  NETWORK_SECRET?: string;
  /** The bearer token of the operator's routes (`/v1/admin/*`; a Worker secret); unset: none. */
  ADMIN_TOKEN?: string;
  /** Genesis balances: a JSON object of account id → amount. */
  GENESIS?: string;
  /** `"on"` to enable `POST /v1/faucet` (development networks only). */
  FAUCET?: string;
  /** STUN/TURN servers for direct channels: a JSON array of `{urls, username?, credential?}`. */
  ICE_SERVERS?: string;
  /** The secret shared with the network's TURN servers (a Worker secret); with `TURN_URLS`. */
  TURN_SECRET?: string;
  /** The network's TURN servers: comma-separated `turn:`/`turns:` URLs; with `TURN_SECRET`. */
  TURN_URLS?: string;
  /** Cloudflare's TURN service: the TURN key's id; with `TURN_KEY_API_TOKEN`. */
  TURN_KEY_ID?: string;
  /** Cloudflare's TURN service: the TURN key's API token (a Worker secret); with `TURN_KEY_ID`. */
  TURN_KEY_API_TOKEN?: string;
  /** Where TURN keys mint credentials. @default https://rtc.live.cloudflare.com/v1/turn/keys */
  TURN_KEY_API?: string;
  /**
   * Failpoints for tests of failure paths, e.g. `control,ledger.alarm:1`: a named point throws
   * (every time, or the first `n` times). Never set on a real network.
   */
  FAILPOINTS?: string;
  /**
   * The header that holds the client's address, written by a proxy that overwrites any the
   * client sent: `cf-connecting-ip` on Cloudflare (`[env.production]` of `wrangler.toml`).
   * Unset (local runs): no header is trusted; the address is the one the runtime reports.
   */
  CLIENT_ADDRESS_HEADER?: string;
  /**
   * Tests only: a header through which one local client acts as many addresses. Refused
   * together with `CLIENT_ADDRESS_HEADER`, so that no network behind a proxy trusts it.
   */
  CLIENT_ADDRESS_TEST_HEADER?: string;
}

/**
 * The network's TURN servers, which take credentials minted per peer: its own, with a secret
 * they share (`TURN_SECRET`, the TURN REST scheme), or Cloudflare's, through a TURN key.
 */
export type TurnConfig =
  | {
    /** The shared secret (`static-auth-secret` in coturn). */
    secret: string;
    /** `turn:` or `turns:` URLs. */
    urls: readonly string[];
  }
  | {
    /** The TURN key's id. */
    keyId: string;
    /** Its API token. */
    token: string;
    /** Where keys mint credentials (`<api>/<key id>/credentials/generate-ice-servers`). */
    api: string;
  };

/** Where Cloudflare's TURN keys mint credentials. */
export const CLOUDFLARE_TURN_KEYS_API = "https://rtc.live.cloudflare.com/v1/turn/keys";

/** The parsed config. */
export interface NetworkConfig {
  /** The network id. */
  readonly network: string;
  /** The shard count. */
  readonly shards: number;
  /**
   * Where keys live, as this isolate knows it: the network's slot map at the newest version it
   * has adopted (the first until the network grows). Every home is reckoned through it.
   */
  readonly placement: Placement;
  /** More origins hellos may be signed for (`NETWORK_ORIGINS`), beside each request's own. */
  readonly origins?: readonly string[];
  /** The limits in force. */
  readonly limits: Limits;
  /** Who may connect, when the network is closed (`ADMISSION_ALLOW`, `INVITE_KEYS`). */
  readonly admission?: ClosedAdmission;
  /** The network secret; the development default when none is set. */
  readonly secret: string;
  /** Whether `NETWORK_SECRET` was left unset (a development network). */
  readonly developmentSecret: boolean;
  /** Genesis balances. */
  readonly genesis: Readonly<Record<string, string>>;
  /** Whether the faucet is on. */
  readonly faucet: boolean;
  /** STUN/TURN servers peers use for direct channels, served at `/v1/network`. */
  readonly iceServers: readonly IceServer[];
  /** TURN servers that take credentials minted per peer (`turn_credentials.ts`), if any. */
  readonly turn?: TurnConfig;
  /**
   * Failpoints armed by `FAILPOINTS` (`name` or `name:times`, comma-separated): how many times
   * each throws (`Infinity` for every time). Empty on any network that does not set it.
   */
  readonly failpoints: ReadonlyMap<string, number>;
  /** The header trusted to hold the client's address (`CLIENT_ADDRESS_HEADER`), if any. */
  readonly clientAddressHeader?: string;
  /** Tests only: the header that lets one client act as many addresses, if any. */
  readonly clientAddressTestHeader?: string;
}

/** A closed network's members and inviting keys. */
export interface ClosedAdmission {
  /** The peers admitted without an invitation. */
  readonly allow: ReadonlySet<string>;
  /** The keys whose invitations admit. */
  readonly inviteKeys: readonly string[];
}

// A header's name, as the runtime hands header names over: lower case.
const HEADER_NAME = /^[a-z0-9-]+$/;

const VarsSchema = z.object({
  NETWORK_ID: z.string().regex(NETWORK_ID_PATTERN),
  SHARD_COUNT: z.string().regex(/^[0-9]+$/),
  NETWORK_ORIGINS: z.string().regex(/^https?:\/\/[^/,\s]+(,https?:\/\/[^/,\s]+)*$/).optional(),
  ADMISSION_ALLOW: z.string().optional(),
  INVITE_KEYS: z.string().optional(),
  LIMIT_OVERRIDES: z.string().optional(),
  NETWORK_SECRET: z.string().min(16).optional(),
  GENESIS: z.string().optional(),
  FAUCET: z.enum(["on", "off"]).optional(),
  ICE_SERVERS: z.string().optional(),
  TURN_SECRET: z.string().min(16).optional(),
  TURN_URLS: z.string().regex(/^turns?:[\x21-\x2b\x2d-\x7e]+(,turns?:[\x21-\x2b\x2d-\x7e]+)*$/)
    .optional(),
  TURN_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
  TURN_KEY_API_TOKEN: z.string().regex(/^[\x21-\x7e]{16,512}$/).optional(),
  TURN_KEY_API: z.string().url().regex(/^https?:/).optional(),
  FAILPOINTS: z.string().regex(/^[a-z.]+(:[0-9]+)?(,[a-z.]+(:[0-9]+)?)*$/).optional(),
  CLIENT_ADDRESS_HEADER: z.string().regex(HEADER_NAME).optional(),
  CLIENT_ADDRESS_TEST_HEADER: z.string().regex(HEADER_NAME).optional(),
}).refine((vars) => !vars.TURN_SECRET === !vars.TURN_URLS, {
  message: "TURN_SECRET and TURN_URLS go together",
}).refine((vars) => !vars.TURN_KEY_ID === !vars.TURN_KEY_API_TOKEN, {
  message: "TURN_KEY_ID and TURN_KEY_API_TOKEN go together",
}).refine((vars) => !(vars.TURN_SECRET && vars.TURN_KEY_ID), {
  message: "TURN servers of your own (TURN_SECRET) or Cloudflare's (TURN_KEY_ID), not both",
}).refine((vars) => !(vars.CLIENT_ADDRESS_HEADER && vars.CLIENT_ADDRESS_TEST_HEADER), {
  message:
    "CLIENT_ADDRESS_TEST_HEADER is for local tests; it is refused beside CLIENT_ADDRESS_HEADER",
});

const IceServersSchema = z.array(z.object({
  urls: z.union([
    z.string().regex(/^(stun|stuns|turn|turns):/),
    z.array(z.string().regex(/^(stun|stuns|turn|turns):/)),
  ]),
  username: z.string().optional(),
  credential: z.string().optional(),
})).max(8);

const GenesisSchema = z.record(
  z.string(),
  z.union([z.string().regex(/^[0-9]{1,30}$/), z.number().int().nonnegative()]),
);

let cached: { key: string; config: NetworkConfig } | undefined;
// The same env object comes back request after request: known, it costs no key of its vars
// (whose genesis can run to kilobytes) per request.
const byEnv = new WeakMap<Env, NetworkConfig>();

/**
 * Parses and caches the network's config.
 *
 * @param env The Worker's env.
 * @returns The config.
 * @throws {RangeError} If a var is malformed; the message names it.
 *
 * @example Usage
 * ```ts
 * import { type Env, networkConfig } from "./config.ts";
 * const env = { NETWORK_ID: "dev", SHARD_COUNT: "8" } as unknown as Env;
 * const { network, shards } = networkConfig(env);
 * console.assert(network === "dev" && shards === 8);
 * ```
 */
export function networkConfig(env: Env): NetworkConfig {
  const known = byEnv.get(env);
  if (known) return known;
  const key = [
    env.NETWORK_ID,
    env.SHARD_COUNT,
    env.NETWORK_ORIGINS,
    env.ADMISSION_ALLOW,
    env.INVITE_KEYS,
    env.LIMIT_OVERRIDES,
    env.NETWORK_SECRET,
    env.GENESIS,
    env.FAUCET,
    env.ICE_SERVERS,
    env.TURN_SECRET,
    env.TURN_URLS,
    env.TURN_KEY_ID,
    env.TURN_KEY_API_TOKEN,
    env.TURN_KEY_API,
    env.FAILPOINTS,
    env.CLIENT_ADDRESS_HEADER,
    env.CLIENT_ADDRESS_TEST_HEADER,
  ].join("|");
  if (cached?.key === key) {
    byEnv.set(env, cached.config);
    return cached.config;
  }
  const parsed = VarsSchema.safeParse(env);
  if (!parsed.success) {
    throw new RangeError(`Cannot start the network: bad config: ${parsed.error.message}`);
  }
  const shards = Number(parsed.data.SHARD_COUNT);
  assertShardCount(shards);
  const overrides = parsed.data.LIMIT_OVERRIDES ? JSON.parse(parsed.data.LIMIT_OVERRIDES) : {};
  const limits = resolveLimits(overrides);
  const admission = closedAdmission(parsed.data.ADMISSION_ALLOW, parsed.data.INVITE_KEYS, limits);
  const genesis = GenesisSchema.parse(parsed.data.GENESIS ? JSON.parse(parsed.data.GENESIS) : {});
  const config: NetworkConfig = {
    network: parsed.data.NETWORK_ID,
    shards,
    placement: new Placement(shards),
    ...(parsed.data.NETWORK_ORIGINS
      ? { origins: parsed.data.NETWORK_ORIGINS.split(",").map((o) => new URL(o).origin) }
      : {}),
    limits,
    ...(admission ? { admission } : {}),
    secret: parsed.data.NETWORK_SECRET ?? DEVELOPMENT_NETWORK_SECRET,
    developmentSecret: parsed.data.NETWORK_SECRET === undefined,
    genesis: Object.fromEntries(Object.entries(genesis).map(([k, v]) => [k, String(v)])),
    faucet: parsed.data.FAUCET === "on",
    iceServers: IceServersSchema.parse(
      parsed.data.ICE_SERVERS ? JSON.parse(parsed.data.ICE_SERVERS) : [],
    ),
    ...(parsed.data.TURN_SECRET && parsed.data.TURN_URLS
      ? { turn: { secret: parsed.data.TURN_SECRET, urls: parsed.data.TURN_URLS.split(",") } }
      : {}),
    ...(parsed.data.TURN_KEY_ID && parsed.data.TURN_KEY_API_TOKEN
      ? {
        turn: {
          keyId: parsed.data.TURN_KEY_ID,
          token: parsed.data.TURN_KEY_API_TOKEN,
          api: parsed.data.TURN_KEY_API ?? CLOUDFLARE_TURN_KEYS_API,
        },
      }
      : {}),
    failpoints: new Map(
      (parsed.data.FAILPOINTS?.split(",") ?? []).map((point) => {
        const [name, times] = point.split(":");
        return [name, times === undefined ? Infinity : Number(times)];
      }),
    ),
    clientAddressHeader: parsed.data.CLIENT_ADDRESS_HEADER,
    clientAddressTestHeader: parsed.data.CLIENT_ADDRESS_TEST_HEADER,
  };
  cached = { key, config };
  byEnv.set(env, config);
  return config;
}

// Peer ids, comma-separated, each checked, at most `max`: a typo refuses to start rather than
// silently shutting a member out.
function peerList(name: string, text: string | undefined, max: number): string[] {
  const ids = (text ?? "").split(",").map((id) => id.trim()).filter((id) => id !== "");
  const bad = ids.find((id) => !isPeerId(id));
  if (bad !== undefined) {
    throw new RangeError(
      `Cannot start the network: ${name} holds "${String(bad).slice(0, 64)}", no peer id`,
    );
  }
  if (ids.length > max) {
    throw new RangeError(
      `Cannot start the network: ${name} lists ${ids.length} peers, at most ${max}`,
    );
  }
  return ids;
}

function closedAdmission(
  allowText: string | undefined,
  keysText: string | undefined,
  limits: Limits,
): ClosedAdmission | undefined {
  const allow = peerList("ADMISSION_ALLOW", allowText, limits.ADMISSION_ALLOW_MAX);
  const inviteKeys = peerList("INVITE_KEYS", keysText, limits.INVITE_KEYS_MAX);
  if (allow.length === 0 && inviteKeys.length === 0) return undefined;
  return { allow: new Set(allow), inviteKeys };
}
