// The network's metrics on real workerd: `/v1/metrics` passes `promtool check metrics`, its
// figures are the shards' own (`/v1/shards/k/stats`), the edge's hello refusals are counted
// by code, any number of scrapes in an interval costs each shard one call, and a real
// Prometheus (Debian's package, on loopback, scraping every second) answers a query for the
// frames relayed after traffic.
import { Identity } from "../../../mod.ts";
import { SHARD_CAPACITY } from "../../../src/protocol/mod.ts";
import { freePort, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** The samples of a text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function promtool(text: string): Promise<{ code: number; out: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const o = await child.output();
  const out = new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
  return { code: o.code, out };
}

Deno.test("metrics: promtool passes them, and they are the shards' own figures", opts, async () => {
  const net = await startNetwork({
    shards: 4,
    limits: { STATS_INTERVAL_MS: 500 },
    vars: { FAUCET: "on" },
  });
  try {
    // Unsealed: sealing would carry the 20 messages of one turn as one frame, and this counts frames.
    const [a, b] = await Promise.all([
      connectPeer(net, { seal: false }),
      connectPeer(net, { seal: false }),
    ]);
    const got: unknown[] = [];
    b.addEventListener("message", (e) => got.push((e as CustomEvent).detail));
    for (let i = 0; i < 20; i++) a.send(b.peerId, `m${i}`);
    await waitUntil(() => got.length === 20, 10_000);
    a.send((await Identity.generate()).peerId, "to no one"); // one refusal: PEER_NOT_FOUND
    await fetch(`${net.url}/v1/faucet`, {
      method: "POST",
      body: JSON.stringify({ account: a.peerId }),
    }).then((r) => r.body?.cancel());
    // Four bad hellos: they wake no shard; the scrape below hands them to the observer.
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${net.url}/v1/connect?peer=x${i}`)).body?.cancel();
    }
    await new Promise((r) => setTimeout(r, 700));
    await (await fetch(`${net.url}/v1/connect`)).body?.cancel();
    await new Promise((r) => setTimeout(r, 700));

    const response = await fetch(`${net.url}/v1/metrics`);
    assert(response.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
    const text = await response.text();
    const checked = await promtool(text);
    assertEquals(checked.code, 0, checked.out);
    const m = samples(text);
    assertEquals(m.get("superpeer_shards"), 4);
    assertEquals(m.get("superpeer_shards_answered"), 4);
    assertEquals(m.get('superpeer_edge_hello_refusals_total{code="HELLO_MALFORMED"}'), 4);
    let frames = 0;
    for (let k = 0; k < 4; k++) {
      const s = await (await fetch(`${net.url}/v1/shards/${k}/stats`)).json();
      const at = `{shard="${k}"}`;
      assertEquals(m.get(`superpeer_peers${at}`), s.peers, `peers of ${k}`);
      assertEquals(m.get(`superpeer_frames_in_total${at}`), s.framesIn, `frames of ${k}`);
      assertEquals(m.get(`superpeer_frames_delivered_total${at}`), s.delivered);
      assertEquals(m.get(`superpeer_transfers_applied_total${at}`), s.transfersApplied);
      for (const [code, n] of Object.entries(s.refusals)) {
        assertEquals(m.get(`superpeer_refusals_total{shard="${k}",code="${code}"}`), n);
      }
      frames += s.framesIn;
    }
    assert(frames >= 21, `${frames} frames in all`);
    const refused = [...m].filter(([k]) => k.includes('code="PEER_NOT_FOUND"')).map(([, v]) => v);
    assertEquals(refused, [1], "one PEER_NOT_FOUND, at the sender's shard");
    const applied = [...m].filter(([k]) => k.startsWith("superpeer_transfers_applied_total"));
    assertEquals(applied.reduce((n, [, v]) => n + v, 0), 1, "the faucet payment");

    // 50 scrapes at once, within one interval: one gathering, one stats call per shard.
    await new Promise((r) => setTimeout(r, 600));
    const before = samples(await (await fetch(`${net.url}/v1/metrics`)).text());
    await new Promise((r) => setTimeout(r, 600));
    const many = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${net.url}/v1/metrics`).then((r) => r.text())),
    );
    const after = samples(many.at(-1)!);
    const calls = (s: Map<string, number>, k: number) =>
      s.get(`superpeer_stats_calls_total{shard="${k}"}`)!;
    for (let k = 0; k < 4; k++) assertEquals(calls(after, k) - calls(before, k), 1, `shard ${k}`);
    assertEquals(
      after.get("superpeer_stats_gatherings_total")! -
        before.get("superpeer_stats_gatherings_total")!,
      1,
    );
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("metrics: each shard's load against the capacity model", opts, async () => {
  const net = await startNetwork({
    shards: 2,
    limits: { STATS_INTERVAL_MS: 500, MAIL_MAX_PER_SHARD: 64 },
  });
  const scrape = async () => samples(await (await fetch(`${net.url}/v1/metrics`)).text());
  try {
    const [a, b] = await Promise.all([
      connectPeer(net, { seal: false }),
      connectPeer(net, { seal: false }),
    ]);
    const first = await scrape();
    for (const [resource, row] of Object.entries(SHARD_CAPACITY)) {
      assertEquals(first.get(`superpeer_shard_capacity{resource="${resource}"}`), row.value);
    }
    assertEquals(first.get('superpeer_shard_capacity{resource="mail"}'), 64, "the bound in force");
    // Frames between two gatherings, and mail left for a peer that is not online.
    const got: unknown[] = [];
    b.addEventListener("message", (e) => got.push((e as CustomEvent).detail));
    for (let i = 0; i < 200; i++) a.send(b.peerId, `m${i}`);
    await waitUntil(() => got.length === 200, 10_000);
    const away = await Identity.generate();
    for (let i = 0; i < 3; i++) a.send(away.peerId, `later ${i}`, { mailbox: true });
    await new Promise((r) => setTimeout(r, 700));
    const second = await scrape();
    const seconds = second.get("superpeer_stats_timestamp_seconds")! -
      first.get("superpeer_stats_timestamp_seconds")!;
    let framesLoad = 0;
    let mail = 0;
    for (let k = 0; k < 2; k++) {
      const s = await (await fetch(`${net.url}/v1/shards/${k}/stats`)).json();
      const load = (resource: string) =>
        second.get(`superpeer_shard_load{shard="${k}",resource="${resource}"}`)!;
      assertEquals(load("sockets"), s.peers / SHARD_CAPACITY.sockets.value, `sockets of ${k}`);
      assertEquals(load("mail"), s.mailWaiting / 64, `mail of ${k}`);
      const frames = (m: Map<string, number>) => m.get(`superpeer_frames_in_total{shard="${k}"}`)!;
      const rate = (frames(second) - frames(first)) / seconds;
      assert(
        // Relative: the timestamp is served in seconds, some 1e-7 s of rounding on ~1 s.
        Math.abs(load("frames") * SHARD_CAPACITY.frames.value - rate) <= rate * 1e-5,
        `frames of ${k}: ${load("frames")} against ${rate} frames/s`,
      );
      framesLoad += load("frames");
      mail += s.mailWaiting;
    }
    assert(framesLoad > 0, "the frames sent between the gatherings show");
    assertEquals(mail, 3, "the mail waiting shows");
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("metrics: a real Prometheus scrapes the network every second", opts, async () => {
  const net = await startNetwork({ shards: 2, limits: { STATS_INTERVAL_MS: 500 } });
  const dir = await Deno.makeTempDir({ prefix: "superpeer-prometheus-" });
  const port = freePort();
  const target = new URL(net.url).host;
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: superpeer
    metrics_path: /v1/metrics
    static_configs:
      - targets: ["${target}"]
`,
  );
  const prometheus = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const api = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok === true,
      30_000,
    );
    // Unsealed: sealing carries the messages of one turn as one frame, and this counts frames.
    const [a, b] = await Promise.all([
      connectPeer(net, { seal: false }),
      connectPeer(net, { seal: false }),
    ]);
    for (let i = 0; i < 100; i++) a.send(b.peerId, `m${i}`);
    const query = async (q: string) => {
      const r = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = await r.json();
      return Number(body.data?.result?.[0]?.value?.[1] ?? NaN);
    };
    let seen = NaN;
    await waitUntil(async () => {
      seen = await query("sum(superpeer_frames_in_total)");
      return seen >= 100;
    }, 30_000);
    console.log(`prometheus: sum(superpeer_frames_in_total) = ${seen}`);
    assert(seen >= 100, `Prometheus saw ${seen} frames in`);
    assertEquals(await query('up{job="superpeer"}'), 1);
    assertEquals(await query("max(superpeer_shards)"), 2);
    a.close();
    b.close();
  } finally {
    prometheus.kill("SIGTERM");
    await prometheus.status;
    await net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
