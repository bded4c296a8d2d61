import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../logger.js";
import type { Metrics } from "./metrics.js";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  method: "GET" | "POST";
  path: string;
  handler: RouteHandler;
}

export interface Probe {
  name: string;
  check(): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  routes: Route[];
  probes: Probe[];
  metrics: Metrics;
  log: Logger;
}

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    work.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

/**
 * The one HTTP listener: probes and metrics of our own, plus the webhook routes adapters
 * contribute (/slack/events, /wechat). Unknown paths get 404, wrong methods 405.
 */
export function createHttpServer(options: HttpServerOptions): { server: Server; listen(): Promise<number>; close(): Promise<void> } {
  const { routes, probes, metrics, log } = options;
  const ownRoutes: Route[] = [
    { method: "GET", path: "/healthz", handler: (_req, res) => send(res, 200, "ok\n") },
    {
      method: "GET",
      path: "/readyz",
      handler: async (_req, res) => {
        const results = await Promise.all(
          probes.map(async (p) => {
            try {
              await withTimeout(p.check(), PROBE_TIMEOUT_MS);
              return { name: p.name, ok: true as const };
            } catch (error) {
              return { name: p.name, ok: false as const, error: error instanceof Error ? error.message : String(error) };
            }
          }),
        );
        const ready = results.every((r) => r.ok);
        // The answer is public; what failed and where (hosts, ports, driver messages) is for the log only.
        if (!ready) log.warn({ probes: results }, "not ready");
        send(res, ready ? 200 : 503, JSON.stringify({ ready, checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? "ok" : "not reachable"])) }), "application/json");
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handler: async (_req, res) => send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
  ];
  const all = [...ownRoutes, ...routes];

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const forPath = all.filter((r) => r.path === path);
    const route = forPath.find((r) => r.method === req.method);
    if (!route) {
      if (forPath.length > 0) res.setHeader("allow", forPath.map((r) => r.method).join(", "));
      send(res, forPath.length > 0 ? 405 : 404, forPath.length > 0 ? "method not allowed\n" : "not found\n");
      return;
    }
    Promise.resolve(route.handler(req, res)).catch((error: unknown) => {
      log.error({ err: error, path }, "request handler failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.end();
    });
  });
  // Slack and WeChat send small bodies quickly; a slow client must not hold a socket forever.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host ?? "0.0.0.0", () => {
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : options.port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
