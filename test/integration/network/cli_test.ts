// The command line as a person uses it, against a local network: what it prints, what it
// exits with, and one line for each kind of wrong input.
import { Identity } from "../../../mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { openBareSocket } from "../../support/peers.ts";
import { cliCommand, runCli } from "../../support/cli.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const cli = cliCommand;
const run = (args: string[]) => runCli(args);

/** A command left running (listen): its lines as they come. */
function spawn(args: string[]) {
  const child = cli(args).spawn();
  let out = "";
  let err = "";
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of s) add(decoder.decode(chunk, { stream: true }));
  };
  const done = Promise.all([
    pump(child.stdout, (t) => out += t),
    pump(child.stderr, (t) => err += t),
  ]);
  const until = async (what: () => boolean, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert(what(), `waited for output; out: ${out} err: ${err}`);
  };
  return {
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    until,
    /** How it ended, if it ended by itself. */
    status: child.status,
    async stop() {
      try {
        child.kill("SIGINT");
      } catch {
        // It ended already.
      }
      await child.status;
      await done;
    },
  };
}

async function withNetwork(
  fn: (net: LocalNetwork, dir: string) => Promise<void>,
  options: Parameters<typeof startNetwork>[0] = { shards: 4 },
): Promise<void> {
  const net = await startNetwork(options);
  const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
  try {
    await fn(net, dir);
  } finally {
    await net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(
  "cli: listen shows messages, topics and the mail left while away, and says when it reconnects",
  opts,
  () =>
    withNetwork(async (net, dir) => {
      const a = ["--url", net.url, "--identity", `${dir}/a.json`];
      const b = ["--url", net.url, "--identity", `${dir}/b.json`];
      const first = await run([...a, "id"]);
      const second = await run([...a, "id"]);
      const idA = first.out;
      assertEquals([first.code, second.out], [0, idA], "one identity across runs");
      assertEquals((await Deno.stat(`${dir}/a.json`)).mode! & 0o777, 0o600);
      const idB = (await run([...b, "id"])).out;

      // Mail left while A is away is shown when it listens, with its sender and time.
      const mailed = await run([...b, "mail", idA, "while", "away"]);
      assertEquals(mailed.code, 0, mailed.err);
      assert(mailed.out.includes("stored until the peer connects"), mailed.out);
      const listen = spawn([...a, "listen", "news"]);
      await listen.until(() => listen.err.includes("listening"));
      await listen.until(() => listen.out.includes("while away"));
      assert(listen.out.includes(`mail from ${idB} (left `), listen.out);

      const sent = await run([...b, "send", idA, "hello", "from", "b"]);
      assertEquals([sent.code, sent.out], [0, `sent to ${idA}`]);
      // What B learnt by sending (that A seals with it) outlives the one-shot command.
      const marks = JSON.parse(await Deno.readTextFile(`${dir}/b.marks.json`));
      assertEquals(marks.peer, idB);
      // Its own id: said before connecting, which would push B's other commands off.
      const self = await run([...b, "send", idB, "to", "me"]);
      assertEquals(self.code, 2, self.err);
      assert(self.err.includes("your own peer id"), self.err);
      const selfMail = await run([...b, "mail", idB, "to", "me"]);
      assertEquals(selfMail.code, 2, selfMail.err);
      await listen.until(() => listen.out.includes("hello from b"));
      assert(listen.out.includes(`message from ${idB}: hello from b`), listen.out);
      const published = await run([...b, "pub", "news", "hello", "topic"]);
      assertEquals([published.code, published.out], [0, "published on news"]);
      await listen.until(() => listen.out.includes(`topic news, from ${idB}: hello topic`));
      // A payment in: shown with the balance it made.
      const funded = await run([...b, "faucet", idA]);
      assertEquals(funded.code, 0, funded.err);
      await listen.until(() => listen.out.includes("received 1000 (balance 1000)"));

      // The network restarts: listen says so, and that it is back.
      await net.restart();
      await listen.until(() => listen.err.includes("reconnected"), 30_000);
      assert(listen.err.includes("connection lost"), listen.err);
      await listen.stop();

      // Shown, so acknowledged: the next listen shows it no more.
      const again = spawn([...a, "listen"]);
      await again.until(() => again.err.includes("listening"));
      await run([...b, "send", idA, "second"]);
      await again.until(() => again.out.includes("second"));
      assert(!again.out.includes("while away"), again.out);
      // Another command with A's identity takes over: the listening one says so, and ends.
      assertEquals((await run([...a, "peers"])).code, 0);
      assertEquals((await again.status).code, 1, again.err);
      assert(again.err.includes("refused: SESSION_REPLACED"), again.err);
      assert(again.err.includes("connected from elsewhere"), again.err);
      await again.stop();

      const nobody = (await Identity.generate()).peerId;
      const refused = await run([...b, "send", nobody, "anyone?"]);
      assertEquals(refused.code, 1);
      assert(refused.err.startsWith("refused: PEER_NOT_FOUND"), refused.err);

      // A peer online that never answers the sealing handshake: nothing left, and it says so.
      const silent = await Identity.generate();
      const ws = await openBareSocket(net, silent, []);
      const unanswered = await run([...b, "send", silent.peerId, "hello?"]);
      ws.close();
      assertEquals(unanswered.code, 1, unanswered.out);
      assert(unanswered.err.startsWith("refused: SEAL_HANDSHAKE_TIMEOUT"), unanswered.err);
    }, { shards: 4, vars: { FAUCET: "on" }, limits: { BLOCK_INTERVAL_MS: 200 } }),
);

Deno.test(
  "cli: transfer shows amount, payee, block and balance; verify needs the hash alone",
  opts,
  async () => {
    const payer = await Identity.generate();
    const payee = await Identity.generate();
    await withNetwork(async (net, dir) => {
      await Deno.writeTextFile(`${dir}/payer.json`, JSON.stringify(payer));
      const me = ["--url", net.url, "--identity", `${dir}/payer.json`];
      const stranger = ["--url", net.url, "--identity", `${dir}/stranger.json`];
      const balance = await run([...me, "balance"]);
      assertEquals(
        balance.out,
        `your account (${payer.peerId}) holds 500; nonce 0, home shard ${
          (await (await fetch(`${net.url}/v1/accounts/${payer.peerId}`)).json()).shard
        }`,
      );
      const paid = await run([...me, "transfer", payee.peerId, "120"]);
      assertEquals(paid.code, 0, paid.err);
      const [line1, line2, line3] = paid.out.split("\n");
      assertEquals(line1, `paid 120 to ${payee.peerId}`);
      const hash = line2.replace("transfer ", "");
      assert(/^[0-9a-f]{64}$/.test(hash), line2);
      assert(/^in block 1 of shard \d+ at \d\d:\d\d:\d\d, /.test(line3), line3);
      assert(line3.endsWith("your balance is 380"), line3);
      // Someone else, knowing only the hash.
      const verified = await run([...stranger, "verify", hash]);
      assertEquals(verified.code, 0, verified.err);
      assert(
        verified.out.startsWith(`verified offline: 120 from ${payer.peerId} to ${payee.peerId}`),
        verified.out,
      );
      const json = await run([...me, "--json", "balance", payee.peerId]);
      assertEquals(JSON.parse(json.out).balance, "120");
      const poor = await run([...me, "transfer", payee.peerId, "100000"]);
      assertEquals(poor.code, 1);
      assert(poor.err.startsWith("refused: TX_INSUFFICIENT_FUNDS"), poor.err);
      const unknown = await run([...stranger, "--json", "verify", "ab".repeat(32)]);
      assertEquals([unknown.code, JSON.parse(unknown.err).code], [1, "TX_NOT_FOUND"]);
      // The faucet, from the command line: it says how much it paid, and the balance shows it.
      const strangerId = (await run([...stranger, "id"])).out.split("\n").at(-1)!;
      const funded = await run([...stranger, "faucet"]);
      assertEquals(funded.code, 0, funded.err);
      assert(
        funded.out.startsWith(`the faucet paid 1000 to your account (${strangerId}); transfer `),
        funded.out,
      );
      const again = await run([...stranger, "faucet"]);
      assertEquals(again.code, 1, "the faucet pays an account once an interval");
      assert(again.err.startsWith("refused: "), again.err);
    }, {
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 500 }), FAUCET: "on" },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
  },
);

Deno.test(
  "cli: peers finds the one peer online, says when there is none; lookup and mail",
  opts,
  () =>
    withNetwork(async (net, dir) => {
      const a = ["--url", net.url, "--identity", `${dir}/a.json`];
      const b = ["--url", net.url, "--identity", `${dir}/b.json`];
      const idA = (await run([...a, "id"])).out;
      assertEquals((await run([...b, "peers"])).out, "no peers online");
      assertEquals(
        (await run([...b, "peers", "--topic", "news"])).out,
        "no subscribers of news online",
      );
      const sub = spawn([...a, "sub", "news", "$presence"]);
      await sub.until(() => sub.err.includes("subscribed"));
      // 8 shards, one peer online: found every time, not one time in three.
      for (let i = 0; i < 5; i++) {
        const found = await run([...b, "peers"]);
        assert(found.out.startsWith(`${idA} (shard `), found.out);
      }
      const byTopic = await run([...b, "--json", "peers", "--topic", "news"]);
      assertEquals(JSON.parse(byTopic.out).peers.map((p: { peer: string }) => p.peer), [idA]);
      const lookup = await run([...b, "lookup", idA]);
      assert(/is online \(home shard \d+\)$/.test(lookup.out), lookup.out);
      await sub.stop();
      const after = await run([...b, "lookup", idA]);
      assert(/is offline, last seen \d\d:\d\d:\d\d/.test(after.out), after.out);
      const plain = await run([...b, "send", idA, "now?"]);
      assertEquals(plain.code, 1);
      assert(plain.err.startsWith("refused: PEER_NOT_FOUND"), plain.err);
      // Offline, with --mailbox: it says it mailed it, not that it sent it.
      const mailed = await run([...b, "send", "--mailbox", idA, "later"]);
      assertEquals(
        [mailed.code, mailed.out],
        [0, `mailed: ${idA} is offline; the mail waits until it connects`],
      );
    }, { shards: 8 }),
);

Deno.test("cli: wrong input gets one line, exit 2, no stack trace", opts, async () => {
  const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
  try {
    const me = await Identity.generate();
    const mine = `${dir}/me.json`;
    await Deno.writeTextFile(mine, JSON.stringify(me));
    await Deno.writeTextFile(`${dir}/corrupt.json`, '{"version":1,"peerId":"x"');
    const other = (await Identity.generate()).peerId;
    const id = ["--identity", mine];
    // Each: the arguments, and words the one line must hold.
    const cases: [string[], string][] = [
      [[...id, "transfer", other, "-5"], "amount must be a whole number of units from 1 to"],
      [[...id, "transfer", other, "abc"], 'got "abc"'],
      [[...id, "transfer", other, "1.5"], 'got "1.5"'],
      [[...id, "transfer", me.peerId, "5"], "your own account"],
      [[...id, "transfer", "bob", "5"], '"bob" is not a peer id'],
      [[...id, "transfer", other], "too few arguments; usage: deno task peer transfer"],
      [
        [...id, "peers", "--count", "abc"],
        '--count must be a whole number from 1 to 64, got "abc"',
      ],
      [[...id, "peers", "--count"], "option --count needs a value"],
      [[...id, "balance", "--bogus"], "unknown option --bogus for balance"],
      [[...id, "frobnicate"], 'unknown command "frobnicate"; commands: id, listen'],
      [[...id, "verify", "xyz"], '"xyz" is not a transfer hash'],
      [[...id, "pub", "", "x"], "is not a topic"],
      [["--identity", `${dir}/corrupt.json`, "id"], "is not a superpeer identity"],
      [["--identity", dir, "id"], "is a directory"],
      [[...id, "--url", "localhost:8787", "peers"], 'Invalid network URL "localhost:8787"'],
      [[...id, "--connect-timeout", "soon", "peers"], "--connect-timeout must be a whole number"],
      [[...id, "fetch", "abc", "--out", `${dir}/x`], '"abc" is not a content id'],
      [[...id, "fetch", `${"ab".repeat(32)}.100`, "--range", "5-2"], "--range is first-last byte"],
      [[...id, "share", `${dir}/nothing.bin`], "cannot read"],
      [[...id, "share", dir], "a directory"],
    ];
    for (const [args, words] of cases) {
      const r = await run(args);
      const what = args.slice(2).join(" ");
      assertEquals(r.code, 2, `${what}: exit ${r.code}, ${r.err}`);
      assertEquals(r.out, "", what);
      assertEquals(r.err.split("\n").length, 1, `${what}: one line, got: ${r.err}`);
      assert(r.err.includes(words), `${what}: "${r.err}" should say ${words}`);
      assert(!/\bat .*:\d+:\d+/.test(r.err), `${what}: no stack trace`);
    }
    // The corrupt file is left alone, not overwritten.
    assertEquals(await Deno.readTextFile(`${dir}/corrupt.json`), '{"version":1,"peerId":"x"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "cli: a network where nothing listens ends with exit 3 naming the URL",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const url = `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
    listener.close();
    const dir = await Deno.makeTempDir({ prefix: "superpeer-cli-" });
    try {
      const id = ["--identity", `${dir}/me.json`, "--url", url];
      const other = (await Identity.generate()).peerId;
      for (
        const args of [
          ["send", other, "hi"],
          ["listen"],
          ["balance"],
        ]
      ) {
        const r = await run([...id, ...args]);
        assertEquals(r.code, 3, `${args.join(" ")}: ${r.err}`);
        assert(r.err.startsWith("Cannot reach "), r.err);
        assert(r.err.includes(url.replace("ws:", "")), r.err);
        assertEquals(r.err.split("\n").length, 1, r.err);
        // Refused at once, and said so: not waited out to the connect timeout.
        assert(/refused/i.test(r.err) && !r.err.includes("within"), r.err);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "cli: share seeds a file, providers lists it, fetch gets it whole or a range",
  opts,
  () =>
    withNetwork(async (net, dir) => {
      const a = ["--url", net.url, "--identity", `${dir}/a.json`];
      const b = ["--url", net.url, "--identity", `${dir}/b.json`];
      const file = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
      await Deno.writeFile(`${dir}/file.bin`, file);
      const sharing = spawn([...a, "share", `${dir}/file.bin`]);
      await sharing.until(() => sharing.err.includes("Ctrl-C"));
      const id = sharing.out.trim();
      assert(/^[0-9a-f]{64}\.100000$/.test(id), id);
      const idA = (await run([...a, "id"])).out;
      const listed = await run([...b, "providers", id]);
      assertEquals(
        listed.out,
        `${idA} (shard ${/shard (\d+)/.exec(listed.out)?.[1]}): all of 7 pieces`,
      );
      const got = await run([...b, "fetch", id, "--out", `${dir}/got.bin`]);
      assertEquals(got.code, 0, got.err);
      assert(got.out.startsWith("fetched 97.7 KiB to"), got.out);
      // Into a pipe, the progress is lines, and the whole one is said once.
      assertEquals(got.err.split("\n").filter((l) => l.includes("100%")).length, 1, got.err);
      assert(got.err.includes("7/7 pieces"), got.err);
      assertEquals(await Deno.readFile(`${dir}/got.bin`), file);
      const part = await cli([...b, "fetch", id, "--range", "50000-50009"]).output();
      assertEquals(part.stdout, file.subarray(50_000, 50_010));
      await sharing.until(() => sharing.err.includes("uploaded"));
      await sharing.stop();
    }),
);
