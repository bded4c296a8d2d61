import { execFile, spawn } from "node:child_process";
import { readdirSync, realpathSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Postgres' own client programs (pg_dump, pg_restore) for the operator's command line: which
 * binary to run, and how to hand it a connection without putting a password on its command
 * line, where any user of the machine could read it (ps, /proc/<pid>/cmdline).
 */

export type PgTool = "pg_dump" | "pg_restore";

/** A failure the operator can act on: printed as it is, exit code 1. */
export class PgToolError extends Error {
  override readonly name = "PgToolError";
}

/** The URL's query parameters libpq understands, as the environment variables it reads. */
const QUERY_ENV: Readonly<Record<string, string>> = {
  sslmode: "PGSSLMODE",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslrootcert: "PGSSLROOTCERT",
  sslcrl: "PGSSLCRL",
  application_name: "PGAPPNAME",
  connect_timeout: "PGCONNECT_TIMEOUT",
  options: "PGOPTIONS",
  target_session_attrs: "PGTARGETSESSIONATTRS",
  gssencmode: "PGGSSENCMODE",
  channel_binding: "PGCHANNELBINDING",
};

export interface Connection {
  /** Variables for a libpq program: host, port, user, database, password and TLS settings. */
  env: Record<string, string>;
  database: string;
  /** "host:port/database" for messages: never the user's password. */
  where: string;
}

/**
 * A postgres:// URL as libpq environment variables. Parameters that only Prisma or node-postgres
 * know (schema=, connection_limit=...) are left out: libpq refuses a URI with a parameter it
 * does not know, and none of them changes what a dump reads.
 */
export function libpqConnection(url: string): Connection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PgToolError("the database URL is not a valid postgresql:// URL");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new PgToolError("the database URL must start with postgresql:// or postgres://");
  const env: Record<string, string> = {};
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new PgToolError("the database URL has a badly percent-encoded user name, password or database name");
    }
  };
  const host = parsed.searchParams.get("host") ?? decode(parsed.hostname.replace(/^\[(.*)\]$/, "$1"));
  if (host) env.PGHOST = host;
  const port = parsed.searchParams.get("port") ?? parsed.port;
  if (port) env.PGPORT = port;
  const user = parsed.searchParams.get("user") ?? (parsed.username ? decode(parsed.username) : "");
  if (user) env.PGUSER = user;
  const password = parsed.searchParams.get("password") ?? (parsed.password ? decode(parsed.password) : "");
  if (password) env.PGPASSWORD = password;
  const database = parsed.searchParams.get("dbname") ?? decode(parsed.pathname.replace(/^\//, ""));
  if (!database) throw new PgToolError("the database URL names no database (postgresql://user@host:5432/<database>)");
  env.PGDATABASE = database;
  for (const [name, value] of parsed.searchParams) {
    const variable = QUERY_ENV[name];
    if (variable) env[variable] = value;
  }
  return { env, database, where: `${host || "localhost"}:${port || "5432"}/${database}` };
}

/**
 * The environment of a child program: ours, with the connection's variables in place of any
 * the operator's shell had, and libpq's other variables (PGPASSFILE, PGSERVICE...) kept.
 */
export function childEnvironment(connection: Connection, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  // A PGHOSTADDR or PGPASSWORD from the shell would pair with our host or user wrongly.
  for (const name of ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", ...Object.values(QUERY_ENV)]) delete env[name];
  if (connection.env.PGPASSWORD !== undefined) delete env.PGPASSWORD;
  return { ...env, ...connection.env };
}

/** A libpq connection string value, quoted: for a database name given as `--dbname`. */
export function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export interface FoundTool {
  path: string;
  major: number;
  version: string;
}

/** "pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)" -> 16; "pg_dump (PostgreSQL) 17beta2" -> 17. */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?\S*/.exec(output);
  if (!match) return undefined;
  return { major: Number(match[1]), version: match[0].replace(/^\(PostgreSQL\)\s+/, "") };
}

/** server_version_num 150020 -> 15. */
export function serverMajorOf(versionNum: number): number {
  return Math.floor(versionNum / 10_000);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Directories that hold numbered Postgres installs side by side (Debian, RHEL, Homebrew). */
function versionedDirectories(): string[] {
  const out: string[] = [];
  const scan = (parent: string, match: RegExp, bin: (entry: string) => string) => {
    try {
      for (const entry of readdirSync(parent)) if (match.test(entry)) out.push(bin(entry));
    } catch {
      // not on this machine
    }
  };
  scan("/usr/lib/postgresql", /^\d+$/, (e) => join("/usr/lib/postgresql", e, "bin"));
  scan("/usr", /^pgsql-\d+$/, (e) => join("/usr", e, "bin"));
  scan("/opt/homebrew/opt", /^postgresql@\d+$/, (e) => join("/opt/homebrew/opt", e, "bin"));
  scan("/usr/local/opt", /^postgresql@\d+$/, (e) => join("/usr/local/opt", e, "bin"));
  return out;
}

/** Every place a tool may be, in the order looked at: PG_BIN_DIR alone when set, else PATH and the usual install directories. */
export function candidateDirectories(binDir: string | undefined, pathEnv: string | undefined = process.env.PATH): string[] {
  if (binDir) return [binDir];
  return [...(pathEnv ?? "").split(delimiter).filter(Boolean), ...versionedDirectories()];
}

function toolVersion(path: string): Promise<{ major: number; version: string } | undefined> {
  return new Promise((resolve) => {
    execFile(path, ["--version"], { timeout: 10_000 }, (error, stdout) => resolve(error ? undefined : parseToolVersion(stdout)));
  });
}

/**
 * The tool to use against a server of major version `serverMajor`: pg_dump refuses a server
 * newer than itself, and an older pg_restore cannot read a newer archive, so only versions at
 * least the server's qualify, and of those the newest (it reads every older archive).
 */
export async function findPgTool(tool: PgTool, serverMajor: number, binDir: string | undefined): Promise<FoundTool> {
  const seen = new Set<string>();
  const found: FoundTool[] = [];
  for (const dir of candidateDirectories(binDir)) {
    const path = join(dir, tool);
    if (!isFile(path)) continue;
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // keep the path as it is
    }
    // Debian's /usr/bin/pg_dump is a wrapper that picks a version itself: asked like the others.
    if (seen.has(real)) continue;
    seen.add(real);
    const version = await toolVersion(path);
    if (version) found.push({ path, ...version });
  }
  const fitting = found.filter((t) => t.major >= serverMajor).sort((a, b) => b.major - a.major);
  if (fitting[0]) return fitting[0];
  const where = binDir ? `in PG_BIN_DIR (${binDir})` : "on the PATH or in /usr/lib/postgresql/*/bin";
  if (found.length === 0) {
    throw new PgToolError(
      `${tool} was not found ${where}. Install the PostgreSQL ${serverMajor} client programs (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}; macOS: brew install postgresql@${serverMajor}), or set PG_BIN_DIR to the directory that holds ${tool}.`,
    );
  }
  const versions = found.map((t) => `${t.version} at ${t.path}`).join(", ");
  throw new PgToolError(
    `the database server runs PostgreSQL ${serverMajor}, but the only ${tool} found ${where} ${found.length === 1 ? "is" : "are"} older (${versions}), and an older ${tool} cannot ${tool === "pg_dump" ? "dump" : "restore into"} a newer server. Install the PostgreSQL ${serverMajor} client programs, or set PG_BIN_DIR to a directory with ${tool} ${serverMajor} or newer.`,
  );
}

/** Runs a tool to its end; resolves with its exit code and what it wrote on stderr (the last 8 KiB). */
export function runTool(path: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-8_192);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr: stderr.trim() }));
  });
}
