// The edge Worker on real workerd: refused hellos wake no super-peer; the HTTP API answers JSON.
import { base64urlnopad } from "@scure/base";
import { Identity, Peer, ProtocolError } from "../../../mod.ts";
import { peerIdFromPublicKey } from "../../../src/identity/peer_id.ts";
import { PROTOCOL_VERSION } from "../../../src/protocol/mod.ts";
import { connectUrl, type Hello, LIMIT_SPECS, signHello } from "../../../src/protocol/mod.ts";
import {
  SEAL_CONSTANTS,
  SEAL_OVERHEAD,
  SEAL_STICKY_PEERS,
  TOPIC_MARKS,
} from "../../../src/seal/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { SlotMap, verifySlotMap } from "../../../src/routing/mod.ts";
import { deriveMapKey, DEVELOPMENT_NETWORK_SECRET } from "../../../workers/shard_keys.ts";
import { UPGRADE_HEADERS } from "../../support/peers.ts";
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

// One SQLite file per Durable Object that ever ran (Miniflare's own metadata.sqlite aside).
async function sqliteFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await sqliteFiles(path));
    else if (entry.name.endsWith(".sqlite") && entry.name !== "metadata.sqlite") found.push(path);
  }
  return found;
}

async function refusal(url: string): Promise<[number, string]> {
  const res = await fetch(url.replace(/^ws/, "http"));
  const body = await res.json();
  return [res.status, body.code];
}

function wsFails(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      ws.close();
      resolve(false);
    };
    ws.onerror = () => resolve(true);
  });
}

Deno.test(
  "edge: every kind of bad hello is refused with 401/400 and no super-peer wakes",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    try {
      const me = await Identity.generate();
      const other = await Identity.generate();
      const good = await signHello(me, net.network, net.url);
      const forged: Hello = { ...(await signHello(other, net.network, net.url)), peer: me.peerId };
      // The neutral point: with R that point and S = 0, a signature verifies for any message.
      const neutral = new Uint8Array(32);
      neutral[0] = 1;
      const nobody: Hello = {
        ...good,
        peer: peerIdFromPublicKey(neutral),
        sig: base64urlnopad.encode(Uint8Array.of(1, ...new Uint8Array(63))),
      };
      const flipped = base64urlnopad.decode(good.sig);
      flipped[0] ^= 1;
      const cases: [string, Hello | string, number, string][] = [
        [
          "tampered signature",
          { ...good, sig: base64urlnopad.encode(flipped) },
          401,
          "HELLO_BAD_SIGNATURE",
        ],
        ["signed by another key", forged, 401, "HELLO_BAD_SIGNATURE"],
        ["changed nonce", { ...good, nonce: "A".repeat(22) }, 401, "HELLO_BAD_SIGNATURE"],
        [
          "stale",
          await signHello(me, net.network, net.url, Date.now() - 120_000),
          401,
          "HELLO_STALE",
        ],
        [
          "from the future",
          await signHello(me, net.network, net.url, Date.now() + 120_000),
          401,
          "HELLO_STALE",
        ],
        ["wrong network", await signHello(me, "elsewhere", net.url), 401, "HELLO_WRONG_NETWORK"],
        // What a server the client dialed holds: a hello signed for that server's origin.
        [
          "signed for another server",
          await signHello(me, net.network, "ws://127.0.0.1:1"),
          401,
          "HELLO_WRONG_ORIGIN",
        ],
        [
          "hello v1, no origin",
          connectUrl(net.url, good).replace(/&origin=[^&]+/, ""),
          400,
          "HELLO_MALFORMED",
        ],
        ["not a peer id", { ...good, peer: "not-a-peer" }, 400, "HELLO_MALFORMED"],
        ["a small-order key, which anyone signs for", nobody, 400, "HELLO_MALFORMED"],
        ["short nonce", { ...good, nonce: "abc" }, 400, "HELLO_MALFORMED"],
        ["no fields", `${net.url}/v1/connect`, 400, "HELLO_MALFORMED"],
        [
          "junk timestamp",
          `${connectUrl(net.url, good).replace(/ts=\d+/, "ts=soon")}`,
          400,
          "HELLO_MALFORMED",
        ],
      ];
      for (const [name, hello, status, code] of cases) {
        const url = typeof hello === "string" ? hello : connectUrl(net.url, hello);
        assertEquals(await refusal(url), [status, code], name);
        assert(await wsFails(url), `${name}: the upgrade must fail`);
      }
      assertEquals(await sqliteFiles(net.persistDir), [], "no super-peer was woken");

      // The same checks pass a good hello, which then wakes exactly its home.
      assertEquals(await refusal(connectUrl(net.url, good)), [426, "UPGRADE_REQUIRED"]);
      assert(!await wsFails(connectUrl(net.url, good)));
      // Its home, the home of the presence topic its join is announced on, and the home of its
      // address's limits (some may be one and the same).
      const woken = (await sqliteFiles(net.persistDir)).length;
      assert(woken >= 1 && woken <= 3, `${woken} super-peers woken`);
      // Used once, a hello cannot be used again, and the plain GET says why.
      assertEquals(await refusal(connectUrl(net.url, good)), [401, "HELLO_REPLAYED"]);
      assert(await wsFails(connectUrl(net.url, good)), "a replayed hello must fail");
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("edge: a replayed hello gets HELLO_REPLAYED from the peer's home", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const hello = await signHello(await Identity.generate(), net.network, net.url);
    const upgrade = { headers: UPGRADE_HEADERS };
    const url = connectUrl(net.url, hello).replace(/^ws/, "http");
    const first = await fetch(url, upgrade);
    assertEquals(first.status, 101);
    await first.body?.cancel();
    const second = await fetch(url, upgrade);
    assertEquals(second.status, 401);
    assertEquals((await second.json()).code, "HELLO_REPLAYED");
  } finally {
    await net.dispose();
  }
});

Deno.test("edge: a client refused at the edge rejects connect() with the code", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const peer = new Peer({
      url: net.url,
      identity: await Identity.generate(),
      network: "elsewhere",
    });
    const error = await assertRejects(peer.connect());
    assert(error instanceof ProtocolError);
    assertEquals(error.code, "HELLO_WRONG_NETWORK");
    assertEquals(peer.state, "closed");
  } finally {
    await net.dispose();
  }
});

Deno.test("edge: the HTTP API serves health, network, limits, and JSON errors", opts, async () => {
  const iceServers = [{ urls: "stun:stun.example.net:3478" }];
  const net = await startNetwork({
    shards: 4,
    limits: { RATE_LIMIT_FRAMES_PER_SECOND: 777 },
    vars: { ICE_SERVERS: JSON.stringify(iceServers) },
  });
  try {
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${net.url}${path}`, init);
      return [res.status, await res.json()];
    };
    assertEquals(await get("/v1/health"), [200, { ok: true, network: "test" }]);
    const [ns, nb] = await get("/v1/network");
    assertEquals([ns, nb.network, nb.shards, nb.protocol], [200, "test", 4, PROTOCOL_VERSION]);
    assertEquals(nb.shardKeys.length, 4);
    // The first slot map of 4 shards, signed by the map key derived from the secret.
    const map = await verifySlotMap("test", nb.slotMap, nb.slotMap.key);
    assert(map instanceof SlotMap, JSON.stringify(map));
    assertEquals([map.version, map.shards, nb.slotMap.base, nb.slotMap.moved], [1, 4, 4, []]);
    const mapKey = await deriveMapKey(DEVELOPMENT_NETWORK_SECRET, "test");
    assertEquals(nb.slotMap.key, mapKey.peerId);
    assert(!nb.shardKeys.includes(mapKey.peerId), "the map key is no shard's key");
    assertEquals([nb.developmentSecret, nb.faucet], [true, false]);
    assertEquals(nb.iceServers, iceServers, "ICE servers for direct channels come from the config");
    const [status, body] = await get("/v1/limits");
    assertEquals(status, 200);
    assertEquals(body.limits.map((l: { name: string }) => l.name), LIMIT_SPECS.map((l) => l.name));
    const rate = body.limits.find((l: { name: string }) =>
      l.name === "RATE_LIMIT_FRAMES_PER_SECOND"
    );
    assertEquals(rate.value, 777, "the value in force is served");
    // The constants of sealing, as the client's code has them.
    const sealing = new Map(
      body.sealing.map((c: { name: string; value: number }) => [c.name, c.value]),
    );
    assertEquals(sealing.size, SEAL_CONSTANTS.length);
    for (const [name, value] of Object.entries({ SEAL_OVERHEAD, SEAL_STICKY_PEERS, TOPIC_MARKS })) {
      assertEquals(sealing.get(name), value, name);
    }
    assertEquals(sealing.get("TOPIC_SCRYPT_LOG_N"), 17);
    const [s404, b404] = await get("/v1/nope");
    assertEquals([s404, b404.code], [404, "NOT_FOUND"]);
    const [s405, b405] = await get("/v1/limits", { method: "POST" });
    assertEquals([s405, b405.code], [405, "METHOD_NOT_ALLOWED"]);
    // A peer is told the same limits in its welcome.
    const peer = new Peer({ url: net.url, identity: await Identity.generate() });
    const welcome = await peer.connect();
    assertEquals(welcome.limits.RATE_LIMIT_FRAMES_PER_SECOND, 777);
    assertEquals(welcome.network, "test", "the network id was fetched from /v1/network");
    assertEquals(welcome.mapVersion, map.version, "the home holds the map /v1/network serves");
    peer.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("edge: a network of 3 shards has no slot map, and keeps the digest placement", async () => {
  const net = await startNetwork({ shards: 3 });
  try {
    const info = await (await fetch(`${net.url}/v1/network`)).json();
    assertEquals([info.shards, "slotMap" in info], [3, false]);
    // A peer whose digest and slot place it apart: its home is the digest modulo 3.
    const headOf = async (id: string) => {
      const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id)));
      return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
    };
    let identity = await Identity.generate();
    while ((await headOf(identity.peerId)) % 3 === (await headOf(identity.peerId)) % 4096 % 3) {
      identity = await Identity.generate();
    }
    const peer = new Peer({ url: net.url, identity });
    const welcome = await peer.connect();
    assertEquals("mapVersion" in welcome, false);
    assertEquals(welcome.shard, (await headOf(identity.peerId)) % 3);
    peer.close();
  } finally {
    await net.dispose();
  }
});
