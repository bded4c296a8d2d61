/** A Redis Cluster, reached through a few of its nodes (the client learns the rest from them). */
export interface RedisClusterTarget {
  nodes: { host: string; port: number }[];
  /** ioredis gives every node of a cluster one set of these (its `redisOptions`). */
  username?: string;
  password?: string;
  tls: boolean;
}

/** One Redis by its URL, or a Redis Cluster. */
export type RedisTarget = string | RedisClusterTarget;

export type ParsedClusterNodes = { ok: true; target: RedisClusterTarget } | { ok: false; problem: string };

const EXAMPLE = "such as 10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000";

/** An entry as it may be shown in an error: configuration errors never carry a password. */
const shown = (entry: string) => entry.replace(/\/\/([^@/]*)@/, (_, credentials: string) => `//${credentials.split(":")[0]}${credentials.includes(":") ? ":***" : ""}@`);

/**
 * REDIS_CLUSTER_NODES: seed nodes separated by commas, each `host:port` or a `redis://` /
 * `rediss://` (TLS) URL with an optional user and password. A cluster client uses one user,
 * password and TLS setting for every node, so all entries must agree on them.
 */
export function parseClusterNodes(text: string): ParsedClusterNodes {
  const entries = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: false, problem: `must list the cluster's seed nodes as host:port, ${EXAMPLE}` };
  const nodes = new Map<string, { host: string; port: number }>();
  let first: { protocol: string; username: string; password: string } | undefined;
  for (const entry of entries) {
    const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry);
    let url: URL;
    try {
      url = new URL(hasScheme ? entry : `redis://${entry}`);
    } catch {
      return { ok: false, problem: `"${shown(entry)}" is not host:port or a redis:// URL (${EXAMPLE})` };
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") return { ok: false, problem: `"${shown(entry)}": only redis:// and rediss:// (TLS) are understood` };
    if (!url.hostname || url.port === "0") return { ok: false, problem: `"${shown(entry)}" is not host:port (${EXAMPLE})` };
    if (!["", "/", "/0"].includes(url.pathname) || url.search || url.hash) return { ok: false, problem: `"${shown(entry)}": a Redis Cluster has only database 0; leave the path out` };
    const credentials = { protocol: url.protocol, username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    first ??= credentials;
    if (credentials.protocol !== first.protocol || credentials.username !== first.username || credentials.password !== first.password) {
      return { ok: false, problem: "every seed node must have the same scheme, user and password (the client uses one set for the whole cluster)" };
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? 6379 : Number(url.port);
    nodes.set(`${host}:${port}`, { host, port });
  }
  const { protocol, username, password } = first!;
  return {
    ok: true,
    target: { nodes: [...nodes.values()], ...(username ? { username } : {}), ...(password ? { password } : {}), tls: protocol === "rediss:" },
  };
}
