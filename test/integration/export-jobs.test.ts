import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { DeliveryError } from "../../src/domain/errors.js";
import { reconcileJobs, runExportJob, type ExportDelivery, type ExportRequest } from "../../src/services/index.js";
import { createServices, type Rep, type ServiceDeps } from "../../src/services/index.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { seedExportWorld, type ExportWorld } from "../support/export-fixtures.js";

/**
 * An export too large to write while the rep waits, against a real Postgres: the run row is the
 * record, the job claims it, writes the file with the asker's rights, hands it to the delivery
 * port, and ends delivered, or released for a retry, or failed with the rep told through the
 * outbox; the sweep schedules runs whose job Redis lost. Delivery is a stand-in here (the
 * Slack upload is in test/e2e/export-slack.test.ts).
 */
const NOW = new Date("2026-11-20T04:00:00Z");
let db: TestDatabase;
let world: ExportWorld;
let deps: ServiceDeps;
let scheduled: string[];
let ann: Rep;

const request: ExportRequest = { kind: "contacts", format: "csv", period: null, locale: "en", timeZone: "Asia/Shanghai" };

beforeAll(async () => {
  db = await createTestDatabase();
  world = await seedExportWorld(db);
  scheduled = [];
  const jobs = { ...recordingScheduler(), scheduleExport: async (runId: string) => void scheduled.push(runId) };
  deps = testServiceDeps(db.store, { now: () => NOW, jobs, settings: { exportInlineMaxRows: 2 } });
  ann = (await db.store.users.findById(world.reps.ann))!;
});
afterAll(() => db.drop());

async function run(id: string) {
  return (await db.sql.query<{ status: string; attempts: number; row_count: number | null; error: string | null }>("SELECT status, attempts, row_count, error FROM export_runs WHERE id = $1", [id])).rows[0]!;
}

/** A delivery that records what it was given (and whether the file was there), or fails as told. */
type Got = { runId: string; recipientId: string; rows: number; existed: boolean; path: string };
function delivery(failWith?: Error): ExportDelivery & { got: Got[] } {
  const got: Got[] = [];
  return {
    got,
    async deliver({ runId, recipientId, file }) {
      got.push({ runId, recipientId, rows: file.rows, existed: existsSync(file.path), path: file.path });
      if (failWith) throw failWith;
    },
  };
}

describe("an export run", () => {
  it("is queued above EXPORT_INLINE_MAX_ROWS, written with the asker's rights and delivered", async () => {
    const services = createServices(deps);
    const answer = await services.requestExport(ann, request);
    expect(answer).toMatchObject({ kind: "queued", rows: 4 });
    if (answer.kind !== "queued") return;
    expect(scheduled).toEqual([answer.runId]);
    expect(await run(answer.runId)).toMatchObject({ status: "pending", attempts: 0 });

    const port = delivery();
    expect(await runExportJob(deps, port, answer.runId, { lastAttempt: false })).toBe("delivered");
    expect(port.got.map(({ path: _path, ...rest }) => rest)).toEqual([{ runId: answer.runId, recipientId: world.reps.ann, rows: 4, existed: true }]);
    // The temporary file is removed once handed on.
    expect(existsSync(port.got[0]!.path)).toBe(false);
    expect(await run(answer.runId)).toMatchObject({ status: "delivered", attempts: 1, row_count: 4 });
    // Done is done: a second job for it (a duplicate after a Redis failover) does nothing.
    expect(await runExportJob(deps, port, answer.runId, { lastAttempt: false })).toBe("skipped");
    expect(port.got).toHaveLength(1);
  });

  it("is released for the next attempt when delivery fails for now, and retried", async () => {
    const answer = await createServices(deps).requestExport(ann, request);
    if (answer.kind !== "queued") throw new Error("expected a queued export");
    const failing = delivery(new DeliveryError("temporary", "HTTP 503"));
    await expect(runExportJob(deps, failing, answer.runId, { lastAttempt: false })).rejects.toThrow("HTTP 503");
    expect(await run(answer.runId)).toMatchObject({ status: "pending", attempts: 1, error: "temporary: HTTP 503" });
    // The file of the failed attempt is gone; the next attempt writes it again.
    expect(failing.got[0]!.existed).toBe(true);
    expect(existsSync(failing.got[0]!.path)).toBe(false);
    expect(await runExportJob(deps, delivery(), answer.runId, { lastAttempt: false })).toBe("delivered");
    expect(await run(answer.runId)).toMatchObject({ status: "delivered", attempts: 2, error: null });
  });

  it("fails visibly after its last attempt: the rep is told in a DM through the outbox", async () => {
    const answer = await createServices(deps).requestExport(ann, request);
    if (answer.kind !== "queued") throw new Error("expected a queued export");
    expect(await runExportJob(deps, delivery(new DeliveryError("temporary", "HTTP 503")), answer.runId, { lastAttempt: true })).toBe("failed");
    expect(await run(answer.runId)).toMatchObject({ status: "failed", error: "temporary: HTTP 503" });
    const { rows } = await db.sql.query<{ platform: string; destination: string; payload: unknown }>("SELECT platform, destination, payload FROM outbox WHERE dedupe_key = $1", [`export-failed:${answer.runId}`]);
    expect(rows).toEqual([{ platform: "slack", destination: ann.externalId, payload: { type: "export.failed", runId: answer.runId } }]);
    // What the DM says, in the rep's language (Ann's is Chinese).
    const core = createCore({ services: createServices(deps), defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
    const message = await core.renderNotification(rows[0]!.payload);
    expect(message.summary).toBe("你的联系人导出（全部时间）多次尝试后仍未完成。请稍后再试 /crm 导出，或请管理员查看机器人的日志。");
  });

  it("fails at once when the platform refuses for good", async () => {
    const answer = await createServices(deps).requestExport(ann, request);
    if (answer.kind !== "queued") throw new Error("expected a queued export");
    expect(await runExportJob(deps, delivery(new DeliveryError("permanent", "user_not_found")), answer.runId, { lastAttempt: false })).toBe("failed");
    expect(await run(answer.runId)).toMatchObject({ status: "failed", attempts: 1, error: "permanent: user_not_found" });
  });

  it("is scheduled again by the sweep while pending, and not once it ended", async () => {
    const answer = await createServices(deps).requestExport(ann, request);
    if (answer.kind !== "queued") throw new Error("expected a queued export");
    scheduled.length = 0;
    const counts = await reconcileJobs(deps, NOW);
    expect(counts.exports).toBe(1);
    expect(scheduled).toEqual([answer.runId]);
  });

  it("is written inline at or below the limit", async () => {
    const answer = await createServices(deps).requestExport(ann, { ...request, kind: "surveys" });
    expect(answer).toMatchObject({ kind: "file", file: { rows: 1, filename: "crm-surveys-all-2026-11-20.csv", mimeType: "text/csv" } });
    if (answer.kind === "file") expect(existsSync(answer.file.path)).toBe(true);
  });
});
