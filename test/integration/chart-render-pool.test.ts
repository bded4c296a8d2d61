import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { decode, type DecodedPng } from "fast-png";
import { afterAll, describe, expect, it } from "vitest";
import { ChartRenderError, createChartRenderer, type ChartRenderer } from "../../src/charts/render-pool.js";
import { renderChartPng } from "../../src/charts/render-chart.js";
import { ChartSpecError, type ChartSpec } from "../../src/reply/chart-spec.js";

/**
 * Charts rendered on worker threads: the threads load the TypeScript renderer through tsx's
 * API (as under `tsx src/main.ts`), so passing here means the .ts worker entry loads outside
 * vitest's own transform.
 */
const csat: ChartSpec = {
  kind: "bar",
  title: "CSAT answers by score · this month",
  xTitle: "Score",
  yTitle: "Answers",
  points: ["1", "2", "3", "4", "5"].map((x, i) => ({ x, y: [1, 0, 2, 5, 7][i]! })),
};

const opened: ChartRenderer[] = [];
function renderer(options: Parameters<typeof createChartRenderer>[0] = {}): ChartRenderer {
  const r = createChartRenderer(options);
  opened.push(r);
  return r;
}
afterAll(async () => {
  await Promise.all(opened.map((r) => r.close()));
});

function pixel(image: DecodedPng, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * image.channels;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

/** Pixels in rows [top, bottom) darker than light grey: where text or marks were drawn. */
function ink(image: DecodedPng, top: number, bottom: number): number {
  let count = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixel(image, x, y);
      if (r + g + b < 600) count++;
    }
  }
  return count;
}

describe("the chart render pool", () => {
  it("starts no thread until the first chart, then renders a PNG that decodes", async () => {
    const pool = renderer();
    expect(pool.stats()).toEqual({ threads: 0, busy: 0, queued: 0 });

    const png = await pool.png(csat);
    const image = decode(png);
    // Default size: 640 x 400 CSS pixels at scale 2.
    expect([image.width, image.height]).toEqual([1280, 800]);
    expect(pixel(image, 2, 2)).toEqual([255, 255, 255]);
    expect(ink(image, 0, image.height)).toBeGreaterThan(5_000);
    expect(pool.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it("draws exactly what the in-process renderer draws, for several charts queued at once", async () => {
    const pool = renderer({ threads: 2, render: { width: 400, height: 250, scale: 1 } });
    const specs = [1, 2, 3, 4, 5].map((n): ChartSpec => ({ ...csat, title: `Chart ${n}`, points: csat.points.map((p) => ({ ...p, y: p.y * n })) }));
    const pngs = await Promise.all(specs.map((s) => pool.png(s)));
    expect(pool.stats().threads).toBe(2);
    for (const [i, png] of pngs.entries()) {
      expect(png.equals(await renderChartPng(specs[i]!, { width: 400, height: 250, scale: 1 }))).toBe(true);
    }
    expect(new Set(pngs.map((p) => p.toString("base64"))).size).toBe(5);
  });

  it("draws a Chinese title with the shipped font, glyph by glyph", async () => {
    const pool = renderer({ render: { width: 320, height: 200, scale: 2 } });
    const withTitle = async (title: string) => decode(await pool.png({ kind: "pie", title, points: [{ x: "A", y: 1 }, { x: "B", y: 2 }] }));
    const band = 80; // the title's 40 CSS pixels
    const [blank, one, gold] = await Promise.all([withTitle(""), withTitle("一一一一"), withTitle("鑫鑫鑫鑫")]);
    expect(ink(blank, 0, 30)).toBe(0);
    expect(ink(one, 0, band)).toBeGreaterThan(50);
    // A 24-stroke character leaves far more ink than a one-stroke one; missing-glyph boxes would not.
    expect(ink(gold, 0, band)).toBeGreaterThan(3 * ink(one, 0, band));
  });

  it("rejects a spec no chart can show with a ChartSpecError, and keeps rendering", async () => {
    const pool = renderer();
    const bad = pool.png({ ...csat, points: [{ x: "5", y: Number.NaN }] });
    await expect(bad).rejects.toBeInstanceOf(ChartSpecError);
    await expect(bad).rejects.toThrow('The value for "5" is not a finite number.');
    await expect(pool.png({ kind: "pie", title: "退款", points: [{ x: "退款", y: -5 }] })).rejects.toThrow(/pie chart cannot show the negative value/);
    expect(decode(await pool.png(csat)).width).toBe(1280);
  });

  it("gives up on a render that outlasts its timeout and replaces the thread", async () => {
    // 1 ms: no render (the first one also loads Vega into the thread) finishes that fast.
    const pool = renderer({ timeoutMs: 1 });
    await expect(pool.png(csat)).rejects.toThrow(ChartRenderError);
    await expect(pool.png(csat)).rejects.toThrow(/took longer than 1 ms/);
  });

  it("refuses renders beyond its queue", async () => {
    const pool = renderer({ maxQueue: 1 });
    const first = pool.png(csat); // on the thread
    const second = pool.png(csat); // queued
    await expect(pool.png(csat)).rejects.toThrow(/waiting to be rendered/);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it("close() refuses queued and running renders and ends every thread", async () => {
    const pool = createChartRenderer({ threads: 2 });
    await Promise.all([pool.png(csat), pool.png(csat)]);
    expect(pool.stats().threads).toBe(2);

    const running = [pool.png(csat), pool.png(csat), pool.png(csat)];
    const settled = Promise.allSettled(running);
    await pool.close();
    expect(pool.stats()).toEqual({ threads: 0, busy: 0, queued: 0 });
    for (const result of await settled) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ChartRenderError);
    }
    await expect(pool.png(csat)).rejects.toThrow("the chart renderer is closed");
  });

  it("works in a process started by tsx, as `npm start` runs the bot", async () => {
    // The worker inherits tsx's own flags there; the bootstrap must still load the .ts entry.
    const script = `
      import { createChartRenderer } from "./src/charts/render-pool.ts";
      void (async () => {
        const pool = createChartRenderer();
        const png = await pool.png(${JSON.stringify(csat)});
        const threads = pool.stats().threads;
        await pool.close();
        process.stdout.write(JSON.stringify({ png: png.toString("base64"), threads, after: pool.stats().threads }));
      })();`;
    const { stdout } = await promisify(execFile)("node_modules/.bin/tsx", ["--eval", script], { cwd: process.cwd(), timeout: 60_000 });
    const out = JSON.parse(stdout) as { png: string; threads: number; after: number };
    expect(decode(Buffer.from(out.png, "base64")).width).toBe(1280);
    expect([out.threads, out.after]).toEqual([1, 0]);
  }, 60_000);
});
