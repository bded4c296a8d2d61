import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { actor, createTestCore } from "../support/core.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** Types lines into the terminal adapter and returns everything it printed. */
async function session(lines: string[]): Promise<string> {
  const { core } = createTestCore(db.store);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const done = runTerminal({ core, actor: actor("demo", { platform: "local", displayName: "Demo Rep" }), input, output });
  input.end(lines.join("\n") + "\n");
  await done;
  return printed;
}

describe("the terminal adapter", () => {
  it("runs the same commands as Slack, with numbered buttons and forms", async () => {
    const out = await session([
      "/customer add Acme Ltd",
      "1", // Log a note: opens the form
      "call: first call",
      "customer Acme",
      "crm order Acme 1200 CNY licence",
      "/history acme",
      "9",
      "exit",
    ]);
    expect(out).toContain("Added Acme Ltd as a lead, owned by you.");
    expect(out).toContain("[1] Log a note");
    expect(out).toContain("Log to CRM");
    expect(out).toContain("Logged a call with Acme Ltd.");
    expect(out).toContain("Recorded an order of CNY");
    expect(out).toContain("HISTORY OF ACME LTD");
    expect(out).toContain("first call");
    expect(out).toContain("There is no button 9");
    const { rows } = await db.sql.query("SELECT channel, body FROM interactions");
    expect(rows).toEqual([{ channel: "CALL", body: "first call" }]);
  });

  it("keeps control characters in stored text from reaching the terminal", async () => {
    const out = await session(["/customer add Evil\u001b[2J Corp", "exit"]);
    expect(out).not.toContain("\u001b[2J");
  });
});
