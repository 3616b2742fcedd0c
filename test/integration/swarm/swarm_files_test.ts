// File sharing with files: a file shared by its path (never read whole), fetched into a file
// and as a stream; and a download killed half-way (the command line, SIGKILL) that resumes
// and fetches only what it lacked.
import { PART_SUFFIX, PIECE_BYTES } from "../../../src/swarm/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SCRIPT = new URL("../../../scripts/peer.ts", import.meta.url).pathname;

function content(bytes: number, salt = 0): Uint8Array {
  return new Uint8Array(bytes).map((_, i) => (Math.imul(i + salt, 2654435761) >>> 7) & 255);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

Deno.test(
  "swarm files: share a path, fetch into a file and as an ordered stream",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const dir = await Deno.makeTempDir({ prefix: "superpeer-swarm-" });
    try {
      const [seeder, me] = await Promise.all([connectPeer(net), connectPeer(net)]);
      const bytes = content(50 * PIECE_BYTES + 999);
      await Deno.writeFile(`${dir}/source.bin`, bytes);
      const id = await seeder.swarm.share(`${dir}/source.bin`);
      const report = await me.swarm.fetchFile(id, `${dir}/copy.bin`);
      assertEquals(await Deno.readFile(`${dir}/copy.bin`), bytes);
      assertEquals([report.done, report.total, report.resumed], [51, 51, 0]);
      const noLog = await Deno.stat(`${dir}/copy.bin${PART_SUFFIX}`).then(() => false, () => true);
      assert(noLog, "the resume log is gone once the file is whole");

      // As a stream, from a third peer: the bytes in order, a piece at a time.
      const third = await connectPeer(net);
      const chunks = await readAll(third.swarm.fetchStream(id));
      assertEquals(chunks.length, 51);
      assertEquals(concat(chunks), bytes);
      // A range as a stream: only its bytes.
      const range = { offset: 3 * PIECE_BYTES - 10, length: 2 * PIECE_BYTES + 20 };
      const part = await readAll((await connectPeer(net)).swarm.fetchStream(id, { range }));
      assertEquals(
        concat(part),
        bytes.subarray(range.offset, range.offset + range.length),
      );

      // Content this peer holds whole is copied into the file, nothing asked of anyone. (What
      // the seeder still sends the others, such as end-game duplicates, drains first.)
      for (let last = -1; seeder.swarm.uploaded !== last;) {
        last = seeder.swarm.uploaded;
        await new Promise((r) => setTimeout(r, 500));
      }
      const uploaded = seeder.swarm.uploaded;
      const copied = await me.swarm.fetchFile(id, `${dir}/second.bin`);
      assertEquals([copied.resumed, copied.bytes], [51, 0]);
      assertEquals(await Deno.readFile(`${dir}/second.bin`), bytes);
      // A file that already is the content is kept as it is: nothing fetched.
      const fresh = await connectPeer(net);
      const kept = await fresh.swarm.fetchFile(id, `${dir}/copy.bin`);
      assertEquals([kept.resumed, kept.bytes], [51, 0]);
      assertEquals(seeder.swarm.uploaded, uploaded, "the seeder sent nothing more");
      for (const p of [seeder, me, third, fresh]) p.close();
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "swarm files: a fetch killed half-way resumes, fetching only what it lacked",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const dir = await Deno.makeTempDir({ prefix: "superpeer-swarm-" });
    try {
      // 1 MiB/s from the only seeder: 4 MiB take about 4 s, time to kill the fetch half-way.
      const seeder = await connectPeer(net, { swarm: { uploadBytesPerSecond: 1 << 20 } });
      const bytes = content(256 * PIECE_BYTES, 5);
      const id = await seeder.swarm.share(bytes);
      const out = `${dir}/got.bin`;
      const args = ["run", "-A", SCRIPT, "--url", net.url, "--identity", `${dir}/me.json`];
      const first = new Deno.Command(Deno.execPath(), {
        args: [...args, "fetch", id, "--out", out, "--relay-only"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      // Each record of the log: index, path length, 8 path hashes (256 pieces).
      const record = 5 + 32 * 8;
      const logged = async () =>
        await Deno.stat(out + PART_SUFFIX).then((s) => Math.floor(s.size / record), () => 0);
      await waitUntil(async () => await logged() >= 100, 30_000);
      first.kill("SIGKILL");
      await first.status;
      const kept = await logged();
      assert(kept < 256, `killed half-way (${kept} pieces logged)`);
      // What the seeder still sends the dead process drains before the count starts.
      let last = -1;
      await waitUntil(async () => {
        const now = seeder.swarm.uploaded;
        const still = now === last;
        last = now;
        await new Promise((r) => setTimeout(r, 500));
        return still;
      }, 20_000);
      const before = seeder.swarm.uploaded;
      const second = await new Deno.Command(Deno.execPath(), {
        args: [...args, "--json", "fetch", id, "--out", out, "--relay-only"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(second.stdout);
      assertEquals(second.code, 0, new TextDecoder().decode(second.stderr));
      const result = JSON.parse(text.trim().split("\n").at(-1)!);
      assertEquals(await Deno.readFile(out), bytes);
      const uploaded = seeder.swarm.uploaded - before;
      console.log(
        `swarm resume: killed with ${kept} of 256 pieces logged; the second run took ` +
          `${result.resumed} from the file and fetched ${uploaded / PIECE_BYTES} pieces`,
      );
      assert(result.resumed >= kept - 1, `${result.resumed} resumed of ${kept} logged`);
      assertEquals(uploaded, (256 - result.resumed) * PIECE_BYTES, "only what it lacked");
      assertEquals(result.fetched, (256 - result.resumed) * PIECE_BYTES);
      seeder.close();
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
