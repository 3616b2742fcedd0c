/**
 * The command line's network commands: who you are, what reaches you, and what you send.
 *
 * @module
 */
import type {
  BlockHeaderJson,
  ErrorMessage,
  MailEvent,
  MailNotice,
  Peer,
  PeerMessage,
  PresenceMessage,
  SealError,
  TopicEvent,
} from "../../mod.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import { SEAL_HANDSHAKE_TIMEOUT_MS } from "../../src/seal/seal_bounds.ts";
import { UsageError } from "./args.ts";
import { closeAndExit, type Context, peerIdArg, topicArg, wholeArg } from "./context.ts";
import { clock, Refused, shown } from "./output.ts";

/** How long `send` waits for a refusal after a round trip, before it reports the message sent. */
const SEND_SETTLE_MS = 100;

/**
 * `id`: makes the identity on first use, prints the peer id.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { id } from "./network_commands.ts";
 * export const whoAmI = (context: Context) => id(context); // prints the peer id
 * ```
 *
 * @param c The context.
 */
export async function id(c: Context): Promise<void> {
  const { identity, created } = await c.identity();
  c.out.note(`${created ? "created" : "loaded"} ${c.identityPath}`);
  c.out.result(identity.peerId, { peerId: identity.peerId, identity: c.identityPath, created });
}

/**
 * `listen` and `sub`: prints everything addressed to this peer until Ctrl-C (payments in among
 * it): direct messages,
 * mail (acknowledged once printed), topic messages, presence, blocks.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { listen } from "./network_commands.ts";
 * export const news = (context: Context) => listen(context, ["news"]); // until Ctrl-C
 * ```
 *
 * @param c The context.
 * @param topics Topics to subscribe to first.
 */
export async function listen(c: Context, topics: string[]): Promise<void> {
  for (const t of topics) topicArg("sub", t);
  const peer = await c.peer();
  // Before connecting: mail is handed over right after the welcome, and acknowledged only once
  // a listener took it.
  peer.addEventListener("mail", (e) => {
    const m = (e as CustomEvent<MailEvent>).detail;
    const text = `${clock(Date.now())} mail from ${m.from} (left ${clock(m.ts)}): ${shown(m.data)}`;
    c.out.result(text, {
      t: "mail",
      at: Date.now(),
      mid: m.mid,
      from: m.from,
      ts: m.ts,
      data: m.data,
    });
  });
  peer.addEventListener("mail.notice", (e) => {
    const m = (e as CustomEvent<MailNotice>).detail;
    c.out.result(`${clock(Date.now())} your mail ${m.ref} to ${m.to} was ${m.status}`, { ...m });
  });
  peer.addEventListener("topic", (e) => {
    const m = (e as CustomEvent<TopicEvent>).detail;
    const text = `${clock(Date.now())} topic ${m.topic}, from ${m.from}: ${shown(m.data)}`;
    c.out.result(text, { t: "topic", at: Date.now(), topic: m.topic, from: m.from, data: m.data });
  });
  peer.addEventListener("presence", (e) => {
    const m = (e as CustomEvent<PresenceMessage>).detail;
    const what = m.event === "join" ? "joined" : "left";
    c.out.result(`${clock(m.ts)} ${m.peer} ${what} (shard ${m.shard})`, { ...m });
  });
  peer.addEventListener("seal.error", (e) => {
    const m = (e as CustomEvent<SealError>).detail;
    c.out.note(`${clock(Date.now())} dropped, from ${m.peer}: ${m.code}: ${m.message}`);
  });
  peer.addEventListener("block", (e) => {
    const h = (e as CustomEvent<BlockHeaderJson>).detail;
    if (h.shard === peer.welcome?.shard) return; // the home's blocks are said as payments
    const text = `${
      clock(h.timestamp)
    } block ${h.height} of shard ${h.shard}: ${h.entries} entries`;
    c.out.result(text, { t: "block", header: h });
  });
  await c.connect(peer, true);
  // Payments in: the home shard's blocks, and the balance after each one that raised it.
  const home = peer.welcome!.shard;
  let balance = BigInt((await peer.ledger.balance()).balance);
  peer.on("block", async (h) => {
    if (h.shard !== home) return;
    const now = BigInt((await peer.ledger.balance().catch(() => ({ balance: balance }))).balance);
    if (now > balance) {
      const got = now - balance;
      c.out.result(`${clock(h.timestamp)} received ${got} (balance ${now})`, {
        t: "payment",
        at: Date.now(),
        amount: String(got),
        balance: String(now),
        block: h.height,
      });
    }
    balance = now;
  });
  await peer.ledger.watchBlocks(home);
  for (const topic of topics) await peer.subscribe(topic);
  if (topics.length > 0) c.out.note(`subscribed to ${topics.join(", ")}`);
  c.out.note("listening; Ctrl-C to stop");
  Deno.addSignalListener("SIGINT", () => void closeAndExit(peer, 0));
  for await (const m of peer.messages() as AsyncIterable<PeerMessage>) {
    const text = `${clock(Date.now())} message from ${m.from}: ${shown(m.data)}`;
    c.out.result(text, { t: "message", at: Date.now(), from: m.from, data: m.data });
  }
  await peer.close(); // closed for good: its marks saved before the process exits
}

/**
 * `send`: one message, relayed (or mailed with `--mailbox` if the peer is offline).
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { send } from "./network_commands.ts";
 * export const hello = (context: Context, peerId: string) => send(context, [peerId, "hello"], false);
 * ```
 *
 * @param c The context.
 * @param args The peer id, then the words of the text.
 * @param mailbox Whether to mail it if the peer is offline.
 */
export async function send(c: Context, args: string[], mailbox: boolean): Promise<void> {
  const to = peerIdArg("send", args[0]);
  const text = args.slice(1).join(" ");
  const peer = await c.peer();
  notOwnId("send", to, peer);
  await c.connect(peer);
  const bytes = new TextEncoder().encode(text).length;
  try {
    // Offline, said at once: mailed (and said so) with --mailbox, else refused.
    if (!(await peer.lookup(to)).online) {
      if (!mailbox) throw new Refused("PEER_NOT_FOUND", `Peer "${to}" is not connected`);
      const r = await peer.sendMail(to, text);
      const what = r.status === "delivered" ? "handed over (it came online)" : "mailed";
      c.out.result(`${what}: ${to} is offline; the mail waits until it connects`, {
        ok: true,
        to,
        bytes,
        mailed: true,
        ...r,
      });
      return;
    }
    await sendOnline(peer, to, text);
    c.out.result(`sent to ${to}`, { ok: true, to, bytes, mailed: false });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

// Sends to a peer found online, and waits until the message has left (a sealing handshake
// first, the first time) and a round trip more, which a refusal of it would have beaten.
async function sendOnline(peer: Peer, to: string, text: string): Promise<void> {
  let refused: ErrorMessage | undefined;
  let unsealed: SealError | undefined;
  peer.addEventListener("error", (e) => refused = (e as CustomEvent<ErrorMessage>).detail);
  peer.addEventListener("seal.error", (e) => unsealed = (e as CustomEvent<SealError>).detail);
  peer.send(to, text);
  const deadline = Date.now() + SEAL_HANDSHAKE_TIMEOUT_MS + SEND_SETTLE_MS;
  while (peer.queued > 0 && !refused && !unsealed && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const stuck = peer.queued > 0;
  if (!stuck && !refused && !unsealed) {
    await peer.lookup(to).catch(() => {});
    await new Promise((r) => setTimeout(r, SEND_SETTLE_MS));
  }
  // The network's word first (PEER_NOT_FOUND says more than the handshake it ended).
  if (refused) throw new Refused(refused.code, refused.message);
  if (unsealed) throw new Refused(unsealed.code, unsealed.message);
  if (stuck) throw new Refused("SEAL_HANDSHAKE_TIMEOUT", "The message never left");
}

/**
 * `mail`: leaves a message in a peer's mailbox.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { mail } from "./network_commands.ts";
 * export const away = (context: Context, peerId: string) => mail(context, [peerId, "while away"]);
 * ```
 *
 * @param c The context.
 * @param args The peer id, then the words of the text.
 */
export async function mail(c: Context, args: string[]): Promise<void> {
  const to = peerIdArg("mail", args[0]);
  const peer = await c.peer();
  notOwnId("mail", to, peer);
  await c.connect(peer);
  try {
    const r = await peer.sendMail(to, args.slice(1).join(" "));
    const what = r.status === "delivered"
      ? "handed over now (the peer is online)"
      : "stored until the peer connects";
    c.out.result(`mail ${r.mid} for ${to}: ${what}`, { ok: true, to, ...r });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

/**
 * `pub`: publishes a message on a topic.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { pub } from "./network_commands.ts";
 * export const hello = (context: Context) => pub(context, ["news", "hello"]);
 * ```
 *
 * @param c The context.
 * @param args The topic, then the words of the text.
 */
export async function pub(c: Context, args: string[]): Promise<void> {
  const topic = topicArg("pub", args[0]);
  const peer = await c.peer();
  await c.connect(peer);
  try {
    const n = await peer.publish(topic, args.slice(1).join(" "));
    c.out.result(`published on ${topic}`, { ok: true, topic, n });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

/**
 * `peers`: online peers at random, or a topic's subscribers.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { peers } from "./network_commands.ts";
 * export const five = (context: Context) => peers(context, { count: "5" });
 * ```
 *
 * @param c The context.
 * @param o `topic`, `count`.
 */
export async function peers(c: Context, o: { topic?: string; count?: string }): Promise<void> {
  const max = DEFAULT_LIMITS.MAX_DISCOVERY_PEERS;
  const count = o.count === undefined ? 16 : wholeArg("peers: --count", o.count, 1, max);
  const topic = o.topic === undefined ? undefined : topicArg("peers", o.topic);
  const peer = await c.peer();
  await c.connect(peer);
  try {
    const found = await peer.findPeers({ count, topic });
    const none = topic === undefined ? "no peers online" : `no subscribers of ${topic} online`;
    const text = found.length === 0
      ? none
      : found.map((p) => `${p.peer} (shard ${p.shard})`).join("\n");
    c.out.result(text, { peers: found });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

/**
 * `lookup`: whether a peer is online, its home shard, when it was last seen.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { lookup } from "./network_commands.ts";
 * export const where = (context: Context, peerId: string) => lookup(context, peerId);
 * ```
 *
 * @param c The context.
 * @param who The peer id.
 */
export async function lookup(c: Context, who: string): Promise<void> {
  peerIdArg("lookup", who);
  const peer: Peer = await c.peer();
  await c.connect(peer);
  try {
    const v = await peer.lookup(who);
    const seen = v.lastSeen === null ? "" : `, last seen ${clock(v.lastSeen)}`;
    const state = v.online ? "online" : `offline${seen}`;
    c.out.result(`${v.peer} is ${state} (home shard ${v.shard})`, { ...v });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

// Refuses a message to the command's own identity: connecting would push that identity's other
// command (its `listen`) off the network, and the message with it.
function notOwnId(command: string, to: string, peer: Peer): void {
  if (to !== peer.peerId) return;
  throw new UsageError(
    `${command}: ${to} is your own peer id; ${command} from another identity: ` +
      `deno task peer --identity b.json ${command} <peer-id> <text>`,
  );
}
