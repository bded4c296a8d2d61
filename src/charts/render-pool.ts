/**
 * Charts rendered on worker threads. A render is ~130 ms of synchronous Vega work; on the
 * main thread it would delay every reminder and Slack acknowledgement behind it (DESIGN:
 * delayed-job lateness went from ~250 ms to ~1.7 s with a busy loop). The pool starts its
 * threads on the first render, queues what arrives while they are busy, and gives up on a
 * render that takes too long by ending its thread (JavaScript cannot be interrupted otherwise).
 */
import { Worker } from "node:worker_threads";
import { ChartSpecError, type ChartSpec } from "../reply/chart-spec.js";
import type { RenderOptions } from "./render-chart.js";
import type { RenderRequest, RenderResponse, RenderWorkerData } from "./render-worker.js";

export interface ChartRendererOptions {
  /** Threads rendering at once. Default 1: charts are occasional, and each thread holds Vega (~60 MB). */
  threads?: number;
  /** A render still running after this long is abandoned and its thread replaced. Default 20 s (the first render also loads Vega). */
  timeoutMs?: number;
  /** Renders waiting for a thread beyond this are refused at once. Default 100. */
  maxQueue?: number;
  /** Size and scale of every PNG (render-chart.ts defaults). */
  render?: RenderOptions;
}

export interface ChartRenderer {
  /** The chart as PNG; rejects with ChartSpecError for data no chart can show, or an Error naming what failed. */
  png(spec: ChartSpec): Promise<Buffer>;
  /** Refuses what is queued, ends the threads and waits until they have exited. */
  close(): Promise<void>;
  /** Threads alive (started, not yet exited), of them rendering, and renders waiting. */
  stats(): { threads: number; busy: number; queued: number };
}

/** Why a render did not happen: the pool was closed, was full, or the render took too long. */
export class ChartRenderError extends Error {
  override name = "ChartRenderError";
}

const BOOTSTRAP = new URL("./render-worker-bootstrap.mjs", import.meta.url);
const ENTRY = new URL("./render-worker.ts", import.meta.url).href;

interface Job {
  id: number;
  spec: ChartSpec;
  resolve(png: Buffer): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const size = options.threads ?? 1;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxQueue = options.maxQueue ?? 100;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`threads must be a whole number of at least 1, not ${size}`);
  const workerData: RenderWorkerData = { entry: ENTRY, render: options.render ?? {} };

  const threads = new Set<Thread>();
  const queue: Job[] = [];
  const exits = new Set<Promise<void>>();
  let alive = 0;
  let nextId = 1;
  let closed = false;

  function spawn(): Thread {
    const worker = new Worker(BOOTSTRAP, { workerData });
    const thread: Thread = { worker, job: undefined, timer: undefined };
    threads.add(thread);
    alive++;
    const exited = new Promise<void>((resolve) =>
      worker.once("exit", () => {
        alive--;
        resolve();
      }),
    );
    exits.add(exited);
    void exited.then(() => exits.delete(exited));

    worker.on("message", (response: RenderResponse) => {
      const job = thread.job;
      if (!job || job.id !== response.id) return;
      finish(thread);
      if ("png" in response) job.resolve(Buffer.from(response.png.buffer, response.png.byteOffset, response.png.byteLength));
      else job.reject(rebuild(response.error));
      dispatch();
    });
    // A thread that fails to start or crashes takes only its own render with it; the next
    // render starts a fresh thread.
    worker.on("error", (error) => retire(thread, new ChartRenderError(`chart thread failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => retire(thread, new ChartRenderError(`chart thread exited (code ${code}) during the render`)));
    return thread;
  }

  function finish(thread: Thread): void {
    clearTimeout(thread.timer);
    thread.job = undefined;
    thread.timer = undefined;
    // An idle thread must not keep the process alive; a busy one must, or a render in flight
    // could be cut off by an exit.
    thread.worker.unref();
  }

  function retire(thread: Thread, error: ChartRenderError): void {
    if (!threads.delete(thread)) return;
    const job = thread.job;
    finish(thread);
    job?.reject(error);
    void thread.worker.terminate();
    dispatch();
  }

  function dispatch(): void {
    while (!closed && queue.length > 0) {
      let thread = [...threads].find((t) => t.job === undefined);
      if (!thread && threads.size < size) thread = spawn();
      if (!thread) return;
      const job = queue.shift()!;
      thread.job = job;
      thread.worker.ref();
      const busy = thread;
      busy.timer = setTimeout(() => retire(busy, new ChartRenderError(`chart render took longer than ${timeoutMs} ms`)), timeoutMs);
      busy.worker.postMessage({ id: job.id, spec: job.spec } satisfies RenderRequest);
    }
  }

  return {
    png(spec) {
      if (closed) return Promise.reject(new ChartRenderError("the chart renderer is closed"));
      if (queue.length >= maxQueue) return Promise.reject(new ChartRenderError(`${queue.length} charts are waiting to be rendered; try again shortly`));
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ id: nextId++, spec, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new ChartRenderError("the chart renderer is closed"));
      for (const thread of [...threads]) retire(thread, new ChartRenderError("the chart renderer is closed"));
      await Promise.all([...exits]);
    },
    stats() {
      return { threads: alive, busy: [...threads].filter((t) => t.job !== undefined).length, queued: queue.length };
    },
  };
}

/** Errors cross the thread boundary as name and message; the kinds callers tell apart come back as themselves. */
function rebuild(error: { name: string; message: string }): Error {
  if (error.name === "ChartSpecError") return new ChartSpecError(error.message);
  if (error.name === "RangeError") return new RangeError(error.message);
  return new ChartRenderError(`${error.name}: ${error.message}`);
}
