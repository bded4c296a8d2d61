import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { freePort } from "./ports.js";

const run = promisify(execFile);

export interface OwnRedisClusterOptions {
  /** Masters, each with its share of the 16384 slots; no replicas. */
  masters?: number;
  /**
   * cluster-node-timeout: how long a silent master takes to count as failed (then cluster_state
   * is fail, as no replica takes over). Short, so a test of a node going away stays short.
   */
  nodeTimeoutMs?: number;
}

interface OwnNode {
  port: number;
  /** The cluster bus port, chosen free too: port + 10000, Redis' default, may be above 65535 or taken. */
  busPort: number;
  proc?: ChildProcess;
  output: string;
}

/**
 * A Redis Cluster of our own on loopback: `masters` redis-server processes in cluster mode on free
 * ports, without persistence, under a temporary directory. Started with start(), gone with stop()
 * (each process by its pid, then the directory). Tests point the bot at it with `env`.
 */
export class OwnRedisCluster {
  readonly dir: string;
  private readonly nodes: OwnNode[] = [];
  private readonly masters: number;
  private readonly nodeTimeoutMs: number;

  constructor(options: OwnRedisClusterOptions = {}) {
    this.masters = options.masters ?? 3;
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 2_000;
    this.dir = mkdtempSync(join(tmpdir(), "crm-redis-cluster-"));
  }

  get seedNodes(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: "127.0.0.1", port: n.port }));
  }

  /** The value for REDIS_CLUSTER_NODES. */
  get nodesEnv(): string {
    return this.seedNodes.map((n) => `${n.host}:${n.port}`).join(",");
  }

  /** What a bot's environment needs to use this cluster (REDIS_URL must be unset then; empty counts as unset). */
  get env(): Record<string, string> {
    return { REDIS_URL: "", REDIS_CLUSTER_NODES: this.nodesEnv };
  }

  get ports(): number[] {
    return this.nodes.map((n) => n.port);
  }

  async start(): Promise<void> {
    // freePort may hand out the same port twice in a row: every port here must be another one.
    const taken = new Set<number>();
    const another = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) return taken.add(port), port;
      }
    };
    for (let i = 0; i < this.masters; i++) this.nodes.push({ port: await another(), busPort: await another(), output: "" });
    try {
      await Promise.all(this.nodes.map((_, i) => this.startNode(i)));
      const { stdout } = await run("redis-cli", ["--cluster", "create", ...this.nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"]);
      if (!stdout.includes("All 16384 slots covered")) throw new Error(`redis-cli --cluster create did not cover every slot:\n${stdout}`);
      await this.waitUntilOk();
    } catch (error) {
      // Nothing of a cluster that could not start stays behind.
      await this.stop();
      throw error;
    }
  }

  /** Starts node `index` (again): it rejoins with the slots its nodes-<port>.conf names, and no data. */
  async startNode(index: number): Promise<void> {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    node.output = "";
    const proc = spawn("redis-server", [
      "--port", String(node.port), "--bind", "127.0.0.1",
      "--cluster-enabled", "yes", "--cluster-port", String(node.busPort),
      "--cluster-config-file", join(this.dir, `nodes-${node.port}.conf`), "--cluster-node-timeout", String(this.nodeTimeoutMs),
      "--save", "", "--appendonly", "no", "--dir", this.dir,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    node.proc = proc;
    const collect = (chunk: Buffer) => void (node.output += chunk.toString());
    proc.stdout?.on("data", collect);
    proc.stderr?.on("data", collect);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${node.port} did not start:\n${node.output}`)), 20_000);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on port ${node.port} exited (${code}):\n${node.output}`));
      };
      proc.once("exit", onExit);
      const check = () => {
        if (node.output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          proc.off("exit", onExit);
          proc.stdout?.off("data", check);
          resolve();
        }
      };
      proc.stdout?.on("data", check);
    });
  }

  /** Stops node `index` (SIGKILL by default: a crash); without persistence its data is gone. */
  async stopNode(index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const node = this.nodes[index];
    const proc = node?.proc;
    if (!node || !proc || proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    process.kill(proc.pid, signal);
    const timer = setTimeout(() => proc.pid !== undefined && proc.exitCode === null && process.kill(proc.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
    node.proc = undefined;
  }

  /** cluster_state of every running node ("ok" or "fail"), as each of them sees it. */
  async states(): Promise<string[]> {
    return Promise.all(this.nodes.filter((n) => n.proc).map(async (n) => {
      const redis = new Redis(n.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const info = String(await redis.call("CLUSTER", "INFO"));
        return /cluster_state:(\w+)/.exec(info)?.[1] ?? "unknown";
      } catch {
        return "unreachable";
      } finally {
        redis.disconnect();
      }
    }));
  }

  /** Until every node says cluster_state:ok (all slots served, every node agreeing). */
  async waitUntilOk(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await this.states();
      if (states.length === this.nodes.length && states.every((s) => s === "ok")) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not reach cluster_state:ok: ${states.join(", ")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A plain cluster client for a test to look inside with (the caller disconnects it). */
  client(): Cluster {
    return new Cluster(this.seedNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  }

  /** Stops every node by its pid and deletes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.stopNode(i, "SIGTERM")));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
