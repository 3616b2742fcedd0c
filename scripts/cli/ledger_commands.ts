/**
 * The command line's ledger commands: balances, transfers, proofs checked offline.
 *
 * @module
 */
import { DEFAULT_LIMITS, type FaucetAnswer, ProtocolError } from "../../src/protocol/mod.ts";
import { UsageError } from "./args.ts";
import { type Context, peerIdArg } from "./context.ts";
import { clock, Refused } from "./output.ts";

/**
 * `balance`: an account's balance and nonce (yours by default).
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { balance } from "./ledger_commands.ts";
 * export const mine = (context: Context) => balance(context); // prints the balance and nonce
 * ```
 *
 * @param c The context.
 * @param account The account, if not yours.
 */
export async function balance(c: Context, account?: string): Promise<void> {
  if (account !== undefined) peerIdArg("balance", account);
  const peer = await c.peer();
  const a = await peer.ledger.balance(account ?? peer.peerId);
  const whose = account === undefined ? "your account" : a.id;
  c.out.result(
    `${whose} ${account === undefined ? `(${a.id}) ` : ""}holds ${a.balance}; ` +
      `nonce ${a.nonce}, home shard ${a.shard}`,
    { ...a },
  );
}

/**
 * `faucet`: asks a development network's faucet to pay an account (yours by default), and says
 * how much it paid.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { faucet } from "./ledger_commands.ts";
 * export const fund = (context: Context) => faucet(context); // "the faucet paid 1000 to …"
 * ```
 *
 * @param c The context.
 * @param account The account, if not yours.
 */
export async function faucet(c: Context, account?: string): Promise<void> {
  if (account !== undefined) peerIdArg("faucet", account);
  const to = account ?? (await c.identity()).identity.peerId;
  const url = c.api("/v1/faucet");
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body: JSON.stringify({ account: to }) });
  } catch {
    throw new ProtocolError("UNREACHABLE", `Cannot reach ${url.origin}: is the network up?`);
  }
  const body = await res.json().catch(() => ({})) as Partial<FaucetAnswer> & {
    code?: string;
    message?: string;
  };
  if (body.ok !== true) {
    throw new Refused(body.code ?? "INTERNAL", body.message ?? `HTTP ${res.status} from ${url}`);
  }
  const whose = account === undefined ? `your account (${to})` : to;
  c.out.result(`the faucet paid ${body.amount} to ${whose}; transfer ${body.hash}`, { ...body });
}

/**
 * `transfer`: pays an amount, then waits for its block and shows the balance left.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { transfer } from "./ledger_commands.ts";
 * export const pay = (context: Context, payee: string) => transfer(context, [payee, "5"], false);
 * ```
 *
 * @param c The context.
 * @param args The payee, then the amount.
 * @param noWait Whether to skip waiting for the block.
 */
export async function transfer(c: Context, args: string[], noWait: boolean): Promise<void> {
  const to = peerIdArg("transfer", args[0]);
  const max = DEFAULT_LIMITS.MAX_TRANSFER_AMOUNT;
  const text = args[1];
  if (!/^[1-9][0-9]{0,29}$/.test(text) || BigInt(text) > BigInt(max)) {
    throw new UsageError(
      `transfer: the amount must be a whole number of units from 1 to ${max}, got "${text}"`,
    );
  }
  const amount = BigInt(text);
  const peer = await c.peer();
  if (to === peer.peerId) {
    throw new UsageError("transfer: that is your own account; pay another peer id");
  }
  const r = await peer.ledger.transfer(to, amount);
  if (!r.ok) throw new Refused(r.code, r.message);
  const paid = `paid ${amount} to ${to}\ntransfer ${r.hash}`;
  if (noWait) {
    c.out.result(`${paid}, ${r.status} (not in a block yet)`, {
      ok: true,
      hash: r.hash,
      to,
      amount: text,
      status: r.status,
    });
    return;
  }
  const s = await peer.ledger.waitForBlock(r.hash, peer.peerId);
  const left = await peer.ledger.balance(peer.peerId);
  const h = s.proof!.header;
  c.out.result(
    `${paid}\nin block ${s.block} of shard ${h.shard} at ${clock(h.timestamp)}, ${s.status}; ` +
      `your balance is ${left.balance}`,
    {
      ok: true,
      hash: r.hash,
      to,
      amount: text,
      status: s.status,
      block: s.block,
      shard: h.shard,
      balance: left.balance,
    },
  );
}

/**
 * `verify`: finds a transfer (or faucet payment) by its hash alone and checks its proof
 * offline against the network's shard keys.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { verify } from "./ledger_commands.ts";
 * export const check = (context: Context, hash: string) => verify(context, hash);
 * ```
 *
 * @param c The context.
 * @param hash The hash.
 */
export async function verify(c: Context, hash: string): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new UsageError(`verify: "${hash}" is not a transfer hash (64 lowercase hex characters)`);
  }
  const peer = await c.peer();
  const s = await peer.ledger.waitForBlock(hash, undefined, 15_000);
  const check = await peer.ledger.verify(s.proof!);
  if (!check.ok) throw new Refused(check.code, `NOT verified: ${check.message}`);
  const h = s.proof!.header;
  const what = s.mint
    ? `faucet paid ${s.mint.amount} to ${s.mint.to}`
    : `${s.tx!.amount} from ${s.tx!.from} to ${s.tx!.to}`;
  c.out.result(
    `verified offline: ${what}, entry ${s.index} of block ${h.height} of shard ${h.shard}, ` +
      `${s.status}`,
    { ok: true, ...s, proof: undefined },
  );
}
