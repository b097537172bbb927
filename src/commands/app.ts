import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { Context, type GlobalOptions } from './context.js';

/** Shared by every command's registration: the deps, and the exit code the command chose. */
export class App {
  exitCode = 0;

  constructor(readonly deps: Deps) {}

  context(command: Command): Context {
    return new Context(this.deps, command.optsWithGlobals<GlobalOptions>());
  }

  /** Wraps a run function as a commander action: the exit code it returns (3 for partial) becomes main's. */
  // commander passes (...arguments, options, command); the run function receives (...arguments, options, context)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  action(run: (...args: any[]) => Promise<number | void>) {
    return async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const ctx = this.context(command);
      try {
        const code = await run(...args.slice(0, -1), ctx);
        this.exitCode = code ?? 0;
      } finally {
        await ctx.close();
      }
    };
  }
}

/** Adds the "Examples:" block every command's --help ends with. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}

/** Collects a repeatable flag (`--where a=b --where c=d`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
