/**
 * The superpeer command line.
 *
 * ```
 * deno task peer id                      create (first run) or show this peer's identity
 * deno task peer listen                  print every message delivered to this peer
 * deno task peer send <peer-id> <text>   send a text message
 * deno task peer balance [account]       an account's balance and nonce (yours by default)
 * deno task peer transfer <to> <amount>  pay from your account; waits for its block
 * deno task peer verify <tx-hash>        fetch a transfer's proof and check it offline
 * deno task peer peers [--topic T]       online peers at random (of a topic's subscribers)
 * deno task peer lookup <peer-id>        whether a peer is online, and its home shard
 * deno task peer sub <topic>...          print every message on topics (`$presence`: joins, leaves)
 * deno task peer pub <topic> <text>      publish a text message on a topic
 * deno task peer mail <peer-id> <text>   leave a message in a peer's mailbox
 * ```
 *
 * Options: `--url` (default `$SUPERPEER_URL` or `ws://127.0.0.1:8787`), `--identity FILE`
 * (default `$SUPERPEER_IDENTITY` or `~/.superpeer/identity.json`; created with mode 0600).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type ErrorMessage,
  Identity,
  type MailEvent,
  type PeerMessage,
  type PresenceMessage,
  type TopicEvent,
} from "../mod.ts";
import { Peer } from "../src/client/mod.ts";

/** How long `send` waits for a refusal before it reports the frame as sent. */
const SEND_SETTLE_MS = 1_000;

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    url: { type: "string" },
    identity: { type: "string" },
    from: { type: "string" },
    topic: { type: "string" },
    count: { type: "string" },
    mailbox: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const url = values.url ?? Deno.env.get("SUPERPEER_URL") ?? "ws://127.0.0.1:8787";
const identityPath = values.identity ?? Deno.env.get("SUPERPEER_IDENTITY") ??
  `${Deno.env.get("HOME") ?? "."}/.superpeer/identity.json`;

async function loadOrCreateIdentity(): Promise<{ identity: Identity; created: boolean }> {
  try {
    return {
      identity: await Identity.fromJSON(await Deno.readTextFile(identityPath)),
      created: false,
    };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const identity = await Identity.generate();
  const dir = identityPath.replace(/\/[^/]*$/, "");
  if (dir && dir !== identityPath) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(identityPath, JSON.stringify(identity, null, 2) + "\n", {
    mode: 0o600,
    createNew: true,
  });
  return { identity, created: true };
}

function fail(error: unknown): never {
  console.error(error instanceof Error ? error.message : String(error));
  Deno.exit(1);
}

function usage(code: number): never {
  console.log(`usage: deno task peer [--url URL] [--identity FILE] <command>

commands:
  id                      create (first run) or show this peer's identity
  listen                  print every message delivered to this peer
  send <peer-id> <text>   send a text message (--mailbox: mailed if the peer is offline)
  balance [account]       an account's balance and nonce (yours by default)
  transfer <to> <amount>  pay from your account; waits for its block
  verify <tx-hash>        fetch a transfer's proof and check it offline (--from payer)
  peers [--topic T] [--count N]
                          online peers at random (of a topic's subscribers)
  lookup <peer-id>        whether a peer is online, and its home shard
  sub <topic>...          print every message on the topics ($presence: joins, leaves),
                          and the mail that arrives
  pub <topic> <text>      publish a text message on a topic
  mail <peer-id> <text>   leave a message in a peer's mailbox`);
  Deno.exit(code);
}

async function connect(identity: Identity): Promise<Peer> {
  const peer = new Peer({ url, identity });
  peer.addEventListener("reconnecting", (e) => {
    const { attempt, delayMs } = (e as CustomEvent).detail;
    console.error(`connection lost; reconnecting (attempt ${attempt + 1}) in ${delayMs} ms`);
  });
  try {
    const welcome = await peer.connect();
    console.error(
      `connected to ${welcome.network} as ${identity.peerId} (shard ${welcome.shard} of ${welcome.shards})`,
    );
  } catch (error) {
    console.error(`cannot connect to ${url}: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
  return peer;
}

if (values.help) usage(0);
const [command, ...rest] = positionals;
switch (command) {
  case "id": {
    const { identity, created } = await loadOrCreateIdentity();
    console.error(created ? `created ${identityPath}` : `loaded ${identityPath}`);
    console.log(identity.peerId);
    break;
  }
  case "listen": {
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    Deno.addSignalListener("SIGINT", () => {
      peer.close();
      Deno.exit(0);
    });
    for await (const m of peer.messages() as AsyncIterable<PeerMessage>) {
      const data = typeof m.data === "string" ? m.data : `<${m.data.length} bytes>`;
      console.log(`${m.from} ${m.seq} ${data}`);
    }
    break;
  }
  case "send": {
    const [to, ...words] = rest;
    if (!to || words.length === 0) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    let refused: ErrorMessage | undefined;
    peer.addEventListener("error", (e) => refused = (e as CustomEvent<ErrorMessage>).detail);
    try {
      peer.send(to, words.join(" "), { mailbox: values.mailbox === true });
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      Deno.exit(2);
    }
    // The relay answers only refusals; a short wait tells them apart from success.
    await new Promise((r) => setTimeout(r, SEND_SETTLE_MS));
    peer.close();
    if (refused) {
      console.error(`refused: ${refused.code}: ${refused.message}`);
      Deno.exit(1);
    }
    console.log("sent");
    break;
  }
  case "balance": {
    const { identity } = await loadOrCreateIdentity();
    const ledger = new Peer({ url, identity }).ledger;
    const account = await ledger.balance(rest[0] ?? identity.peerId).catch(fail);
    console.log(
      `${account.id} balance ${account.balance} nonce ${account.nonce} shard ${account.shard}`,
    );
    break;
  }
  case "transfer": {
    const [to, amountText] = rest;
    if (!to || !/^[0-9]+$/.test(amountText ?? "")) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const ledger = new Peer({ url, identity }).ledger;
    const result = await ledger.transfer(to, BigInt(amountText)).catch(fail);
    if (!result.ok) {
      console.error(`refused: ${result.code}: ${result.message}`);
      Deno.exit(1);
    }
    console.log(`${result.hash} ${result.status}`);
    const status = await ledger.waitForBlock(result.hash).catch(fail);
    console.log(`in block ${status.block} of shard ${status.proof?.header.shard}`);
    break;
  }
  case "verify": {
    const [hash] = rest;
    if (!hash) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const ledger = new Peer({ url, identity }).ledger;
    const status = await ledger.waitForBlock(hash, values.from ?? identity.peerId, 15_000).catch(
      fail,
    );
    const check = await ledger.verify(status.proof!);
    if (!check.ok) {
      console.error(`NOT verified: ${check.message}`);
      Deno.exit(1);
    }
    const h = status.proof!.header;
    const what = status.mint
      ? `faucet paid ${status.mint.amount} to ${status.mint.to}`
      : `${status.tx.amount} from ${status.tx.from} to ${status.tx.to}`;
    console.log(
      `verified: ${what}, entry ${status.index} of block ${h.height} of shard ${h.shard}, ${status.status}`,
    );
    break;
  }
  case "peers": {
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    const count = Number(values.count ?? 16);
    const found = await peer.findPeers({ count, topic: values.topic }).catch(fail);
    for (const p of found) console.log(`${p.peer} shard ${p.shard}`);
    peer.close();
    break;
  }
  case "lookup": {
    const [who] = rest;
    if (!who) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    const view = await peer.lookup(who).catch(fail);
    const seen = view.lastSeen === null
      ? ""
      : ` last seen ${new Date(view.lastSeen).toISOString()}`;
    console.log(`${view.peer} ${view.online ? "online" : "offline"} shard ${view.shard}${seen}`);
    peer.close();
    break;
  }
  case "sub": {
    if (rest.length === 0) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    peer.addEventListener("topic", (e) => {
      const m = (e as CustomEvent<TopicEvent>).detail;
      const data = typeof m.data === "string" ? m.data : `<${m.data.length} bytes>`;
      console.log(`${m.topic} ${m.from} ${data}`);
    });
    peer.addEventListener("presence", (e) => {
      const m = (e as CustomEvent<PresenceMessage>).detail;
      console.log(`$presence ${m.peer} ${m.event} shard ${m.shard}`);
    });
    peer.addEventListener("mail", (e) => {
      const m = (e as CustomEvent<MailEvent>).detail;
      const data = typeof m.data === "string" ? m.data : `<${m.data.length} bytes>`;
      console.log(`mail ${m.from} ${data}`);
    });
    for (const topic of rest) await peer.subscribe(topic).catch(fail);
    console.error(`subscribed to ${rest.join(", ")}`);
    Deno.addSignalListener("SIGINT", () => {
      peer.close();
      Deno.exit(0);
    });
    await new Promise(() => {});
    break;
  }
  case "pub": {
    const [topic, ...words] = rest;
    if (!topic || words.length === 0) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    const n = await peer.publish(topic, words.join(" ")).catch(fail);
    console.log(`published ${n}`);
    peer.close();
    break;
  }
  case "mail": {
    const [to, ...words] = rest;
    if (!to || words.length === 0) usage(2);
    const { identity } = await loadOrCreateIdentity();
    const peer = await connect(identity);
    const result = await peer.sendMail(to, words.join(" ")).catch(fail);
    console.log(`${result.status} ${result.mid}`);
    peer.close();
    break;
  }
  default:
    usage(command ? 2 : 0);
}
