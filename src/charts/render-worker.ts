/**
 * The render pool's thread: takes { id, spec } messages, answers { id, png } or { id, error }.
 * Vega layout and the SVG build are synchronous JavaScript (~100 ms a chart); here they cost
 * this thread, never the event loop that runs reminders and answers Slack.
 */
import { parentPort, workerData } from "node:worker_threads";
import { renderChartPng, type RenderOptions } from "./render-chart.js";
import type { ChartSpec } from "../reply/chart-spec.js";

export interface RenderRequest {
  id: number;
  spec: ChartSpec;
}

export type RenderResponse =
  | { id: number; png: Uint8Array }
  | { id: number; error: { name: string; message: string } };

export interface RenderWorkerData {
  /** The .ts module this thread runs (read by the bootstrap). */
  entry: string;
  render: RenderOptions;
}

const port = parentPort;
if (!port) throw new Error("render-worker.ts runs only as a worker thread of render-pool.ts");
const { render } = workerData as RenderWorkerData;

port.on("message", (request: RenderRequest) => {
  renderChartPng(request.spec, render).then(
    (png) => port.postMessage({ id: request.id, png } satisfies RenderResponse),
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
      port.postMessage({ id: request.id, error: { name, message } } satisfies RenderResponse);
    },
  );
});
