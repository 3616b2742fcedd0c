// The command line's help, as a person reads it: every usage apart from its help text.
import { COMMANDS, usage } from "../../scripts/cli/args.ts";
import { assert } from "../support/assert.ts";

Deno.test("cli usage: no command's arguments run into its help", () => {
  const text = usage();
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const line = text.split("\n").find((l) => l.trimStart().startsWith(`${name} `));
    assert(line, name);
    const shown = `${name} ${spec.args}`.trim();
    assert(line.includes(`${shown}  `) && line.includes(spec.help), line);
  }
});
