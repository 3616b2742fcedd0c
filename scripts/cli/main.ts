/**
 * The command line's entry: reads the command line, runs the command, and turns what went
 * wrong into one line and an exit code (0 done, 1 refused by the network, 2 wrong input,
 * 3 network unreachable).
 *
 * @module
 */
import { parseCommandLine, usage } from "./args.ts";
import { CLI_CONNECT_TIMEOUT_MS, Context, wholeArg } from "./context.ts";
import { balance, faucet, transfer, verify } from "./ledger_commands.ts";
import { id, listen, lookup, mail, peers, pub, send } from "./network_commands.ts";
import { fetchContent, providers, share } from "./swarm_commands.ts";
import { invite } from "./invite_command.ts";
import { witness } from "./witness_command.ts";
import { EXIT, Output } from "./output.ts";

/**
 * Runs one command line.
 *
 * @example Usage
 * ```ts
 * import { main } from "./main.ts";
 * // Wrong input: one line on stderr, exit code 2.
 * console.assert(await main(["frobnicate"]) === 2);
 * ```
 *
 * @param argv The arguments.
 * @returns The exit code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes("--json");
  try {
    const { command, args, options } = parseCommandLine(argv);
    if (command === "help") {
      console.log(usage(args[0]));
      return EXIT.DONE;
    }
    const timeout = options["connect-timeout"];
    const c = new Context(
      String(options.url ?? (Deno.env.get("SUPERPEER_URL") || "ws://127.0.0.1:8787")),
      String(
        options.identity ?? (Deno.env.get("SUPERPEER_IDENTITY") ||
          `${Deno.env.get("HOME") ?? "."}/.superpeer/identity.json`),
      ),
      json,
      typeof timeout === "string"
        ? wholeArg("--connect-timeout", timeout, 1, 3_600_000)
        : CLI_CONNECT_TIMEOUT_MS,
      String(options.invitation ?? Deno.env.get("SUPERPEER_INVITATION") ?? "") || undefined,
    );
    await run(c, command, args, options);
    return EXIT.DONE;
  } catch (error) {
    if (Deno.env.get("SUPERPEER_DEBUG")) console.error(error);
    return new Output(json).fail(error);
  }
}

async function run(
  c: Context,
  command: string,
  args: string[],
  options: Record<string, string | boolean>,
): Promise<void> {
  switch (command) {
    case "id":
      return await id(c);
    case "witness":
      return await witness(c, args, {
        name: options.name as string | undefined,
        state: options.state as string | undefined,
      });
    case "listen":
    case "sub":
      return await listen(c, args);
    case "send":
      return await send(c, args, options.mailbox === true);
    case "mail":
      return await mail(c, args);
    case "pub":
      return await pub(c, args);
    case "peers":
      return await peers(c, {
        topic: options.topic as string | undefined,
        count: options.count as string | undefined,
      });
    case "lookup":
      return await lookup(c, args[0]);
    case "balance":
      return await balance(c, args[0]);
    case "faucet":
      return await faucet(c, args[0]);
    case "transfer":
      return await transfer(c, args, options["no-wait"] === true);
    case "invite":
      return await invite(c, args[0], options.hours as string | undefined);
    case "verify":
      return await verify(c, args[0]);
    case "share":
      return await share(c, args[0], options["relay-only"] === true);
    case "fetch":
      return await fetchContent(c, args[0], {
        out: options.out as string | undefined,
        range: options.range as string | undefined,
        relayOnly: options["relay-only"] === true,
      });
    case "providers":
      return await providers(c, args[0]);
  }
}
