import type { Config } from "../config.js";
import type { Store } from "../store/index.js";

/**
 * What a subcommand of the operator's command line gets: the validated configuration, the
 * store opened on first use (a backup needs no Prisma client), and the two output streams
 * (the data on `out`, progress and problems on `err`, so `export … > file` stays clean).
 */
export interface CliContext {
  config: Config;
  store(): Store;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export interface CliCommand {
  name: string;
  /** One line for `npm run crm -- help`. */
  summary: string;
  /** The argument synopsis, such as "[file]". */
  usage: string;
  /** Resolves with the process exit code: 0 when everything worked, non-zero otherwise. */
  run(ctx: CliContext, args: string[]): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2, nothing changed. */
export class CliUsageError extends Error {}
