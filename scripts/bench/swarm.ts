/**
 * File sharing: how much faster content comes from more seeders, how well a flash crowd
 * feeds itself, and what checking a piece costs against hashing it.
 *
 * @module
 */
import { Identity } from "../../src/identity/mod.ts";
import { Peer } from "../../src/client/mod.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { PIECE_BYTES, PieceTree, PieceVerifier } from "../../src/swarm/mod.ts";
import { startNetwork } from "../local_network.ts";
import { type SectionResult, UNTHROTTLED } from "./common.ts";

/** The shared content's size. */
const SIZE = 32 * 1024 * 1024;
/** Every peer's upload cap, alike. */
const UPLOAD = 4 * 1024 * 1024;
/** Peers of the flash crowd. */
const CROWD = 8;

async function peerOn(url: string): Promise<Peer> {
  const peer = new Peer({
    url,
    identity: await Identity.generate(),
    swarm: { uploadBytesPerSecond: UPLOAD },
  });
  await peer.connect();
  return peer;
}

/** Bytes per second one fetch gets with `seeders` seeders. */
async function fromSeeders(url: string, bytes: Uint8Array, seeders: number): Promise<number> {
  const peers = await Promise.all(Array.from({ length: seeders }, () => peerOn(url)));
  const ids = await Promise.all(peers.map((p) => p.swarm.share(bytes)));
  const me = await peerOn(url);
  const start = performance.now();
  const got = await me.swarm.fetch(ids[0]);
  const seconds = (performance.now() - start) / 1_000;
  if (got.length !== bytes.length) throw new Error("short fetch");
  for (const p of [...peers, me]) p.close();
  return bytes.length / seconds;
}

/** Bytes per second delivered to a crowd fetching at once from one seeder. */
async function crowd(url: string, bytes: Uint8Array): Promise<number> {
  const seeder = await peerOn(url);
  const id = await seeder.swarm.share(bytes);
  const peers = await Promise.all(Array.from({ length: CROWD }, () => peerOn(url)));
  const start = performance.now();
  await Promise.all(peers.map((p) => p.swarm.fetch(id)));
  const seconds = (performance.now() - start) / 1_000;
  for (const p of [seeder, ...peers]) p.close();
  return (CROWD * bytes.length) / seconds;
}

/** Pieces per second checked by `verifyPiece`, and hashed by SHA-256 alone. */
function verifyRates(bytes: Uint8Array): { verify: number; sha: number } {
  const tree = PieceTree.of(bytes);
  const pieces = Array.from({ length: tree.id.pieces }, (_, i) => ({
    piece: bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES),
    proof: tree.proof(i),
  }));
  const time = (fn: () => void) => {
    const start = performance.now();
    fn();
    return tree.id.pieces / ((performance.now() - start) / 1_000);
  };
  const hashAll = () => {
    for (const p of pieces) sha256(p.piece);
  };
  // As a download checks them: one verifier for the content, pieces in a random order.
  const order = pieces.map((_, i) => i).sort(() => Math.random() - 0.5);
  const verifyAll = () => {
    const verifier = new PieceVerifier(tree.id);
    for (const i of order) {
      if (!verifier.verify(i, pieces[i].piece, pieces[i].proof)) throw new Error("bad piece");
    }
  };
  // Each once to warm up, then timed side by side.
  time(hashAll);
  time(verifyAll);
  return { sha: time(hashAll), verify: time(verifyAll) };
}

/**
 * Runs the swarm section.
 *
 * @param rounds Rounds after the warm-up.
 * @returns The samples.
 */
export async function swarmBench(rounds: number): Promise<SectionResult> {
  const net = await startNetwork({ shards: 4, network: "bench", limits: UNTHROTTLED });
  const url = net.url.replace("http:", "ws:");
  const bytes = new Uint8Array(SIZE).map((_, i) => (Math.imul(i, 2654435761) >>> 13) & 255);
  const samples: Record<string, number[]> = {
    "swarm.from_1": [],
    "swarm.speedup_2": [],
    "swarm.speedup_4": [],
    "swarm.flash_crowd": [],
    "swarm.verify": [],
    "swarm.sha256": [],
  };
  try {
    for (let r = 0; r < rounds; r++) {
      // Side by side in one round, so that the machine's noise falls on all alike.
      const one = await fromSeeders(url, bytes, 1);
      const two = await fromSeeders(url, bytes, 2);
      const four = await fromSeeders(url, bytes, 4);
      const many = await crowd(url, bytes);
      const { verify, sha } = verifyRates(bytes);
      samples["swarm.from_1"].push(one);
      samples["swarm.speedup_2"].push(two);
      samples["swarm.speedup_4"].push(four);
      samples["swarm.flash_crowd"].push(many);
      samples["swarm.verify"].push(verify);
      samples["swarm.sha256"].push(sha);
      console.log(
        `round ${r + 1}: swarm from 1 ${(one / 2 ** 20).toFixed(2)} MiB/s, 2 ${
          (two / one).toFixed(2)
        }x, 4 ${(four / one).toFixed(2)}x, crowd ${(many / one).toFixed(2)}x, verify ${
          (verify / sha).toFixed(2)
        }x sha256`,
      );
    }
  } finally {
    await net.dispose();
  }
  const mib = SIZE / 2 ** 20;
  return {
    title: "File sharing",
    method: [
      `A ${mib} MiB content is fetched over the relay of one local workerd, every peer's upload`,
      `capped alike at ${UPLOAD / 2 ** 20} MiB/s, so the figures measure how the swarm spreads`,
      "the load, not the machine. `swarm.speedup_k` is the rate of one fetch from k seeders, its",
      "ratio the speedup over one seeder. `swarm.flash_crowd` is the bytes delivered per second",
      `to ${CROWD} peers fetching at once from one seeder, the others' partial seeding helping:`,
      `its ratio to one fetch alone is ${CROWD}× that fetch's time over the crowd's, so the`,
      `issue's target (the crowd done within 0.4 × ${CROWD} lone fetches) is a ratio of 2.5 or`,
      "more. `swarm.verify` checks every piece against the content id (length, leaf hash, path up",
      "to a node proved before), in a random order as a download does, beside hashing the same",
      "pieces with SHA-256 alone.",
    ].join(" "),
    samples,
    entries: [
      {
        name: "swarm.from_1",
        unit: "bytes/s",
        what: `one fetch of ${mib} MiB from 1 seeder`,
        baseline: null,
      },
      {
        name: "swarm.speedup_2",
        unit: "bytes/s",
        what: "the same from 2 seeders",
        baseline: "swarm.from_1",
        target: ">= 1.8",
      },
      {
        name: "swarm.speedup_4",
        unit: "bytes/s",
        what: "the same from 4 seeders",
        baseline: "swarm.from_1",
        target: ">= 3.2",
      },
      {
        name: "swarm.flash_crowd",
        unit: "bytes/s",
        what: `${CROWD} peers at once from 1 seeder, delivered in all`,
        baseline: "swarm.from_1",
        target: ">= 2.5",
      },
      {
        name: "swarm.verify",
        unit: "pieces/s",
        what: "pieces checked against their content id",
        baseline: "swarm.sha256",
        target: ">= 0.8",
      },
      {
        name: "swarm.sha256",
        unit: "pieces/s",
        what: "the same pieces hashed with SHA-256 alone",
        baseline: null,
      },
    ],
  };
}
