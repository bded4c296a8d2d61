import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importWords } from "../../src/commands/views/import.js";
import { translator } from "../../src/i18n/index.js";
import { importFile, type FileImportResult, type ServiceDeps } from "../../src/services/index.js";
import { erasePerson } from "../../src/services/privacy/erase-person.js";
import { FieldCipher, dataKey, resealAll, valuesByKey, type Rep } from "../../src/store/index.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_DATA_ENCRYPTION_KEY } from "../support/env.js";
import { testCipher } from "../support/sealed.js";

/**
 * What an import keeps for a while (the uploaded file in pieces, the first problems, the problem
 * rows as CSV) is sealed like every personal detail, goes with any erasure, follows a key
 * rotation; and a file naming an erased person again does not bring them back.
 */

const NOW = new Date("2026-11-20T04:00:00Z");
// Unusual values, so finding one in a column can only mean it was stored in the clear.
const MARK_PHONE = "+86 139 5550 1717";
const MARK_EMAIL = "leftover.marker@sealed-import.example";

let db: TestDatabase;
let deps: ServiceDeps;
let admin: Rep;
let dir: string;
const words = importWords(translator("en"));

async function run(name: string, text: string, kind: "customers" | "contacts" | "interactions"): Promise<FileImportResult> {
  const path = join(dir, name);
  await writeFile(path, text);
  const result = await importFile(deps, admin, path, { kind, dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words });
  if (!("outcome" in result)) throw new Error(`mapping problems: ${JSON.stringify(result.mappingProblems)}`);
  await result.outcome.problemFile?.remove();
  return result;
}

/** A run as the Slack path leaves it: the file in pieces, the preview's problems, a problem CSV. */
async function leaveRun(status: "previewed" | "done" | "running"): Promise<string> {
  const id = randomUUID();
  await db.store.imports.createRun({
    id, createdById: admin.id, kind: "contacts", fileName: "people.csv", format: "csv", byteSize: 64, status, mapping: [], timezone: "Asia/Shanghai", locale: "en", platform: "slack", channel: null,
    problems: [{ row: 2, problems: [{ column: "Phone", key: "import.problem.phone", params: { value: MARK_PHONE } }] }],
  });
  await db.store.imports.addChunk(id, 0, new TextEncoder().encode(`Contact,Email,Phone\r\nLeft Over,${MARK_EMAIL},${MARK_PHONE}\r\n`));
  if (status === "done") await db.store.imports.finishRun(id, { status: "done", at: NOW, problemCsv: new TextEncoder().encode(`Phone,Row,Problem\r\n${MARK_PHONE},2,bad\r\n`) });
  return id;
}

/** Rows of the import tables whose bytes or JSON hold a marker in the clear. */
async function plainMarkers(): Promise<number> {
  const { rows } = await db.sql.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM import_file_chunks WHERE position(convert_to($1, 'UTF8') IN bytes) > 0 OR position(convert_to($2, 'UTF8') IN bytes) > 0)
          + (SELECT count(*) FROM import_runs WHERE position(convert_to($2, 'UTF8') IN coalesce(problem_csv, '')) > 0 OR problems::text LIKE '%' || $2 || '%'))::int AS n`,
    [MARK_EMAIL, MARK_PHONE],
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = testServiceDeps(db.store, { now: () => NOW });
  const id = randomUUID();
  await db.sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, updated_at) VALUES ($1, 'slack', 'ULEFT', 'Ada Admin', 'ADMIN', now())`, [id]);
  admin = (await db.store.users.findById(id))!;
  dir = await mkdtemp(join(tmpdir(), "import-leftovers-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

describe("an import's leftovers", () => {
  it("are sealed at rest and read back as they were", async () => {
    const waiting = await leaveRun("previewed");
    const id = await leaveRun("done");
    expect(await plainMarkers()).toBe(0);
    const chunk = await db.store.imports.chunk(waiting, 0);
    expect(new TextDecoder().decode(chunk)).toContain(MARK_EMAIL);
    expect(JSON.stringify((await db.store.imports.getRun(waiting))!.problems)).toContain(MARK_PHONE);
    // The search finds a marker stored in the clear.
    await db.sql.query(`INSERT INTO import_file_chunks (run_id, seq, bytes) VALUES ($1, 1, convert_to($2, 'UTF8'))`, [waiting, MARK_EMAIL]);
    expect(await plainMarkers()).toBe(1);
    await db.sql.query(`DELETE FROM import_file_chunks WHERE run_id = $1 AND seq = 1`, [waiting]);
    const run = await db.store.imports.getRun(id);
    expect(new TextDecoder().decode(run!.problemCsv)).toContain(MARK_PHONE);
    expect(JSON.stringify(run!.problems)).toContain(MARK_PHONE);
    // Sealed to their column: a file piece copied into problem_csv does not open there.
    await db.sql.query(`UPDATE import_runs SET problem_csv = (SELECT bytes FROM import_file_chunks WHERE run_id = $2 AND seq = 0) WHERE id = $1`, [id, waiting]);
    await expect(db.store.imports.getRun(id)).rejects.toThrow(/does not open/);
    await db.sql.query(`UPDATE import_runs SET problem_csv = NULL WHERE id = $1`, [id]);
  });

  it("follow a key rotation and open with the new key alone", async () => {
    const id = await leaveRun("previewed");
    const newKey = randomBytes(32);
    const rotated = new FieldCipher(dataKey(newKey), [dataKey(Buffer.from(TEST_DATA_ENCRYPTION_KEY, "base64"))]);
    await resealAll(db.prisma, rotated);
    const byKey = await valuesByKey(db.prisma);
    expect(byKey[testCipher().keyId]).toBeUndefined();
    expect(byKey[rotated.keyId]).toBeGreaterThanOrEqual(4);
    const only = new FieldCipher(dataKey(newKey));
    const { rows } = await db.sql.query<{ bytes: Buffer }>(`SELECT bytes FROM import_file_chunks WHERE run_id = $1`, [id]);
    expect(only.openBytes("import_file_chunks.bytes", rows[0]!.bytes).toString("utf8")).toContain(MARK_EMAIL);
    // Back to the test key for what follows.
    await resealAll(db.prisma, new FieldCipher(dataKey(Buffer.from(TEST_DATA_ENCRYPTION_KEY, "base64")), [dataKey(newKey)]));
    expect(Object.keys(await valuesByKey(db.prisma))).toEqual([testCipher().keyId]);
  });

  it("go with an erasure: files waiting are cancelled, problem rows dropped; a running import keeps its file", async () => {
    const waiting = await leaveRun("previewed");
    const done = await leaveRun("done");
    const running = await leaveRun("running");
    await run("erasable.csv", "ID,Customer,Contact,Email\r\nK-1,Erasable Ltd,Eve Gone,eve.gone@erasable.example\r\n", "customers");
    const contact = (await db.sql.query<{ id: string }>(`SELECT id FROM contacts WHERE external_id IS NULL AND name = 'Eve Gone'`)).rows[0]!;
    await erasePerson(deps, admin, { target: { kind: "contact", id: contact.id }, reason: "asked by email", label: (t: string) => `Erased ${t}` });
    const runs = await db.sql.query<{ id: string; status: string; problems: unknown; problem_csv: Buffer | null; chunks: number }>(
      `SELECT r.id, r.status, r.problems, r.problem_csv, (SELECT count(*)::int FROM import_file_chunks c WHERE c.run_id = r.id) AS chunks FROM import_runs r WHERE r.id = ANY($1::uuid[])`,
      [[waiting, done, running]],
    );
    const byId = new Map(runs.rows.map((r) => [r.id, r]));
    expect(byId.get(waiting)).toMatchObject({ status: "cancelled", problems: null, problem_csv: null, chunks: 0 });
    expect(byId.get(done)).toMatchObject({ status: "done", problems: null, problem_csv: null, chunks: 0 });
    expect(byId.get(running)).toMatchObject({ status: "running", chunks: 1 });
  });
});

describe("a file naming an erased person", () => {
  it("does not bring them back: rows found by their ID are problem rows, nothing is written", async () => {
    const file = "ID,Customer,Contact,Email,Phone\r\nE-1,Phoenix Trading,Paula Phoenix,paula@phoenix.example,+86 139 0000 4242\r\n";
    expect((await run("phoenix.csv", file, "customers")).outcome.created).toBe(1);
    const contactsFile = "ID,Customer,Contact,Email\r\nP-1,Phoenix Trading,Pia Person,pia@phoenix.example\r\n";
    expect((await run("phoenix-contacts.csv", contactsFile, "contacts")).outcome.created).toBe(1);
    const pia = (await db.sql.query<{ id: string }>(`SELECT id FROM contacts WHERE external_id = 'P-1'`)).rows[0]!;
    await erasePerson(deps, admin, { target: { kind: "contact", id: pia.id }, reason: "asked by phone", label: (t: string) => `Erased ${t}` });

    const again = await run("phoenix-contacts-again.csv", contactsFile, "contacts");
    expect(again.outcome).toMatchObject({ created: 0, updated: 0, failed: 1 });
    expect(again.outcome.firstProblems[0]!.problems[0]).toMatchObject({ key: "import.problem.erased", params: { value: "P-1" } });
    const stored = (await db.sql.query<{ name: string; email_enc: string | null; erased_at: Date | null }>(`SELECT name, email_enc, erased_at FROM contacts WHERE id = $1`, [pia.id])).rows[0]!;
    expect(stored.email_enc).toBeNull();
    expect(stored.erased_at).not.toBeNull();
    expect(stored.name).not.toBe("Pia Person");

    const customer = (await db.sql.query<{ id: string }>(`SELECT id FROM customers WHERE external_id = 'E-1'`)).rows[0]!;
    await erasePerson(deps, admin, { target: { kind: "customer", id: customer.id }, reason: "company closed, asked", label: (t: string) => `Erased customer ${t}` });
    const customerAgain = await run("phoenix-again.csv", file, "customers");
    expect(customerAgain.outcome).toMatchObject({ created: 0, updated: 0, failed: 1 });
    expect(customerAgain.outcome.firstProblems[0]!.problems[0]).toMatchObject({ key: "import.problem.erased", params: { value: "E-1" } });
    const logged = await run("phoenix-log.csv", "Customer ID,Channel,Text,Date\r\nE-1,call,Paula called about the invoice,2026-01-05\r\n", "interactions");
    expect(logged.outcome).toMatchObject({ created: 0, failed: 1 });
    expect(logged.outcome.firstProblems[0]!.problems[0]).toMatchObject({ key: "import.problem.erased" });
    const row = (await db.sql.query<{ name: string; erased_at: Date | null }>(`SELECT name, erased_at FROM customers WHERE id = $1`, [customer.id])).rows[0]!;
    expect(row.name).not.toBe("Phoenix Trading");
    expect(row.erased_at).not.toBeNull();
  });
});
