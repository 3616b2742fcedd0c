/**
 * The superpeer command line: `deno task peer --help` lists its commands.
 *
 * ```
 * deno task peer id                      create (first run) or show your peer id
 * deno task peer listen [topic...]       print everything for you: messages, mail, topics
 * deno task peer send <peer-id> <text>   send a message (--mailbox: mailed if offline)
 * deno task peer balance [account]       an account's balance and nonce
 * deno task peer transfer <to> <amount>  pay from your account; waits for its block
 * deno task peer verify <tx-hash>        find a transfer by its hash, check its proof offline
 * ```
 *
 * Options: `--url`, `--identity FILE`, `--json`, `--connect-timeout MS`. Exit codes: 0 done,
 * 1 refused by the network, 2 wrong input, 3 network unreachable.
 *
 * @module
 */
import { main } from "./cli/main.ts";

Deno.exit(await main(Deno.args));
