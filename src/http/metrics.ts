import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CoreObserver } from "../core/handle.js";

/** Prometheus metrics of the process: commands handled and their latency, plus Node's defaults. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const handled = new Counter({
    name: "crm_commands_handled_total",
    help: "Commands, button presses and form submissions handled, by name and outcome.",
    labelNames: ["command", "outcome"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "crm_command_duration_seconds",
    help: "Time from receiving a command to having its reply, by name and outcome.",
    labelNames: ["command", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "crm_outbox_deliveries_total",
    help: "Outbox delivery attempts by result: sent, retry, postponed (rate limit), failed (for good), skipped.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return {
    registry,
    delivered(outcome: string) {
      deliveries.inc({ outcome });
    },
    observe(command: string, outcome: string, seconds: number) {
      handled.inc({ command, outcome });
      latency.observe({ command, outcome }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function metricsObserver(metrics: Metrics, onFailure: (name: string, error: unknown) => void): CoreObserver {
  return { handled: (name, outcome, seconds) => metrics.observe(name, outcome, seconds), failed: onFailure };
}
