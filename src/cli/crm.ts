import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ConfigError, loadConfig } from "../config.js";
import { cipherFromSettings, createPrisma, createStore, type Store } from "../store/index.js";
import { CliUsageError, type CliCommand, type CliContext } from "./types.js";
import { backupCommand } from "./backup.js";
import { restoreCommand } from "./restore.js";
import { rotateKeyCommand } from "./rotate-key.js";
import { importCommand } from "./import.js";
import { exportCommand } from "./export.js";

/**
 * `npm run crm -- <command> …`: the operator's command line, a composition root beside
 * main.ts. Each command is one module; this list is the only place that names them.
 */
export const CLI_COMMANDS: readonly CliCommand[] = [backupCommand, restoreCommand, rotateKeyCommand, exportCommand, importCommand];

function usage(): string {
  const width = Math.max(...CLI_COMMANDS.map((c) => `${c.name} ${c.usage}`.length), 10);
  const lines = CLI_COMMANDS.map((c) => `  ${`${c.name} ${c.usage}`.padEnd(width)}  ${c.summary}`);
  return ["Usage: npm run crm -- <command> [options]", "", "Commands:", ...lines, "  help".padEnd(width + 2) + "  this list", ""].join("\n");
}

export async function runCli(args: string[], streams: { out: NodeJS.WritableStream; err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    (name ? streams.out : streams.err).write(usage());
    return name ? 0 : 2;
  }
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (!command) {
    streams.err.write(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const config = loadConfig();
  let store: Store | undefined;
  const ctx: CliContext = {
    config,
    // Personal details open with the configured key (or the generated one in .data/); unset, a
    // command that touches them says DATA_ENCRYPTION_KEY is missing.
    store: () => (store ??= createStore(createPrisma({ url: config.databaseUrl, poolMax: 4 }), { cipher: cipherFromSettings(config.dataEncryption, { phoneRegion: config.defaultPhoneRegion }) })),
    ...streams,
  };
  try {
    return await command.run(ctx, rest);
  } catch (error) {
    if (error instanceof CliUsageError) {
      streams.err.write(`${error.message}\nUsage: npm run crm -- ${command.name} ${command.usage}\n`);
      return 2;
    }
    throw error;
  } finally {
    await store?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A local .env is a convenience for development; real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
