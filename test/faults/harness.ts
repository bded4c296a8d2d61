import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { freePort } from "../support/ports.js";
import { TEST_DATA_ENCRYPTION_KEY } from "../support/env.js";
export { freePort };

/**
 * The fault suite's own world: a Postgres cluster and Redis servers on free ports, started and
 * stopped by their pids, and the bot as separate web and worker processes. Nothing here touches
 * the shared Postgres (5432) or Redis (6379): every fault is injected into servers of our own.
 */

const run = promisify(execFile);


export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown by a check that can tell it will never pass: waitFor stops waiting. */
export class ExitedEarly extends Error {}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number, printed: () => string = () => ""): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      if (error instanceof ExitedEarly) throw error;
      ok = false;
    }
    if (ok) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${printed() ? `; printed:\n${printed().slice(-4000)}` : ""}`);
    await sleep(200);
  }
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  running(): boolean;
}

/** Keeps the last part of what a process printed: a long run at info level prints a lot. */
const KEEP_OUTPUT = 400_000;

export function spawnLogged(command: string, args: string[], env: Record<string, string>): Proc {
  let output = "";
  let done = false;
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const keep = (c: Buffer) => {
    output += c.toString();
    if (output.length > KEEP_OUTPUT * 2) output = output.slice(-KEEP_OUTPUT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => {
      done = true;
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  return { child, pid: child.pid ?? 0, output: () => output, exited, running: () => !done };
}

/** Sends a signal and waits for the exit (SIGKILL after `graceMs` if it does not go). */
export async function stopProc(proc: Proc | undefined, signal: NodeJS.Signals = "SIGTERM", graceMs = 30_000): Promise<number | null> {
  if (!proc) return null;
  if (!proc.running()) return proc.exited;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.running() && proc.child.kill("SIGKILL"), graceMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

const PG_BIN = (() => {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error("no initdb under /usr/lib/postgresql/*/bin: the fault suite needs the Postgres server binaries");
  return join(root, versions[0]!, "bin");
})();

/** Runs a shell command as the postgres user (initdb and pg_ctl refuse to run as root). */
async function asPostgres(command: string): Promise<string> {
  const { stdout, stderr } = await run("su", ["postgres", "-s", "/bin/bash", "-c", command], { timeout: 120_000 });
  return stdout + stderr;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** A Postgres cluster of the suite's own: initdb in a temporary directory, trust auth, a free port. */
export class OwnPostgres {
  readonly dir: string;
  port = 0;
  readonly database = "crm";

  constructor(readonly root: string) {
    this.dir = join(root, "pg");
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${this.database}`;
  }

  /** A new cluster with the database `crm` migrated by the real `prisma migrate deploy`, left running. */
  async init(): Promise<void> {
    this.port = await freePort();
    mkdirSync(this.dir, { recursive: true });
    chownSync(this.root, uidOf("postgres"), gidOf("postgres"));
    chownSync(this.dir, uidOf("postgres"), gidOf("postgres"));
    await asPostgres(`${PG_BIN}/initdb -D ${quote(this.dir)} -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null`);
    await this.start();
    const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${this.port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${this.database}`);
    await admin.end();
    await run("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: this.url }, timeout: 180_000 });
  }

  /**
   * A cluster of its own made by copying a stopped one's data directory (one that init() made):
   * a second each, where initdb and the migrations take many, so every test file can stop and
   * start its Postgres without touching another file's.
   */
  async copyOf(template: string): Promise<void> {
    this.port = await freePort();
    mkdirSync(this.root, { recursive: true });
    chownSync(this.root, uidOf("postgres"), gidOf("postgres"));
    await asPostgres(`cp -a ${quote(template)} ${quote(this.dir)} && rm -f ${quote(join(this.dir, "postmaster.pid"))} ${quote(join(this.dir, "server.log"))}`);
    await this.start();
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await asPostgres(`${PG_BIN}/pg_ctl -D ${quote(this.dir)} -l ${quote(join(this.dir, "server.log"))} -o ${quote(options)} -w -t 60 start >/dev/null`);
  }

  /** `pg_ctl stop -m fast`: sessions are cut, the server goes away until start(). */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await asPostgres(`${PG_BIN}/pg_ctl -D ${quote(this.dir)} -m ${mode} -w -t 60 stop >/dev/null`);
  }

  async running(): Promise<boolean> {
    try {
      await asPostgres(`${PG_BIN}/pg_ctl -D ${quote(this.dir)} status >/dev/null`);
      return true;
    } catch {
      return false;
    }
  }

  query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.queryAt<T>(this.url, sql, params);
  }

  /** One query on a database of this cluster, on a connection of its own (the server may have restarted since). */
  async queryAt<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    if (existsSync(join(this.dir, "postmaster.pid"))) await this.stop("immediate").catch(() => undefined);
  }
}

/** The postgres user's uid or gid (`id -u postgres`): the data directory must be its own. */
function idOf(flag: "-u" | "-g", user: string): number {
  const result = spawnSync("id", [flag, user], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`id ${flag} ${user} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}
const uidOf = (user: string) => idOf("-u", user);
const gidOf = (user: string) => idOf("-g", user);

/** A redis-server of the suite's own, with AOF (appendfsync everysec) or with no persistence at all. */
export class OwnRedis {
  proc: Proc | undefined;
  port = 0;
  readonly dir: string;

  constructor(root: string, readonly persistence: "aof" | "none") {
    this.dir = join(root, `redis-${randomBytes(3).toString("hex")}`);
    mkdirSync(this.dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const persistence = this.persistence === "aof" ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"];
    this.proc = spawnLogged("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", ...persistence], {});
    await waitFor("redis-server to accept connections", () => this.proc!.output().includes("Ready to accept connections"), 20_000, () => this.proc!.output());
  }

  /** SIGKILL: what was not written to disk is gone (everything, without persistence). */
  async kill(): Promise<void> {
    await stopProc(this.proc, "SIGKILL");
  }

  async stop(): Promise<void> {
    await stopProc(this.proc, "SIGTERM");
  }

  async command(...args: string[]): Promise<unknown> {
    const redis = new Redis(this.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      return await redis.call(args[0]!, ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  }
}

export const SIGNING_SECRET = "fault-suite-signing-secret-0123456789";
export const BOT_TOKEN = "xoxb-fake-faults-token";

export interface BotEnv {
  databaseUrl: string;
  redisUrl: string;
  slackApiUrl: string;
  prefix: string;
  /** More variables (the WeChat account, say). */
  extra?: Record<string, string>;
}

/** One bot process: `node --import tsx src/main.ts --role=<role>`, on a free port. */
export class BotProcess {
  proc: Proc | undefined;
  port = 0;

  constructor(readonly role: "web" | "worker", readonly env: BotEnv) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.proc = spawnLogged(process.execPath, ["--import", "tsx", "src/main.ts", `--role=${this.role}`], {
      DATABASE_URL: this.env.databaseUrl,
      REDIS_URL: this.env.redisUrl,
      PORT: String(this.port),
      BULLMQ_PREFIX: this.env.prefix,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: this.env.slackApiUrl,
      LOG_LEVEL: "info",
      DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
      ...this.env.extra,
    });
    const printed = () => this.proc!.output();
    /** True once `line` was printed; a process that exited first (bad configuration, say) fails the wait at once. */
    const printedOrExited = (line: string) => {
      if (printed().includes(line)) return true;
      if (!this.proc!.running()) throw new ExitedEarly(`the ${this.role} exited before printing "${line}":\n${printed().slice(-4000)}`);
      return false;
    };
    // A cold tsx start compiles the tree: on a busy 2-core machine that alone can take a while.
    await waitFor(`the ${this.role} to listen`, () => printedOrExited("listening on port"), 90_000, printed);
    if (this.role === "worker") await waitFor("the worker to reconcile", () => printedOrExited("reconciled jobs with Postgres"), 90_000, printed);
  }

  signal(signal: NodeJS.Signals): Promise<number | null> {
    return stopProc(this.proc, signal);
  }
}

/** A fresh directory for one suite run's servers, removed in cleanup. */
export function suiteRoot(): string {
  const root = `/tmp/crm-faults-${randomBytes(5).toString("hex")}`;
  mkdirSync(root, { recursive: true });
  return root;
}

export function removeRoot(root: string): void {
  if (root.startsWith("/tmp/crm-faults-")) rmSync(root, { recursive: true, force: true });
}
