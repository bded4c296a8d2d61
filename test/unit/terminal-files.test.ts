import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runTerminal, saveFile } from "../../adapters/local/terminal.js";
import type { Core, InboundEvent, Message, OutgoingFile } from "../../src/core/index.js";
import { translator } from "../../src/i18n/index.js";

/** A core that answers every command with `reply`. */
function coreAnswering(reply: () => Message): Core {
  return {
    handle: async (_event: InboundEvent) => ({ kind: "message", message: reply() }),
    ingest: () => Promise.reject(new Error("not used")),
    renderNotification: () => Promise.reject(new Error("not used")),
    translatorFor: (actor) => translator(actor.locale === "zh-CN" ? "zh-CN" : "en"),
  };
}

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "crm-terminal-files-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const bytes = (text: string) => new TextEncoder().encode(text);

async function session(core: Core, lines: string[], exportsDir: string, locale = "en"): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  input.end(lines.map((l) => `${l}\n`).join(""));
  await runTerminal({ core, actor: { platform: "local", externalId: "rep", displayName: "Rep", locale }, input, output, terminal: false, exportsDir });
  return printed;
}

describe("files in the terminal", () => {
  it("saves each file of a reply under the exports directory, made when missing, and prints where", async () => {
    const root = scratch();
    const exportsDir = join(root, "exports");
    const reply = (): Message => ({
      visibility: "private",
      summary: "Everything held about Li Lei",
      blocks: [
        { type: "text", text: "Everything held about Li Lei" },
        { type: "file", file: { filename: "personal-data-1.json", title: "Personal data (JSON)", mimeType: "application/json", content: bytes('{"name":"Li Lei"}') }, summary: "File personal-data-1.json: the data as JSON" },
        { type: "file", file: { filename: "personal-data-1.txt", title: "Personal data (text)", mimeType: "text/plain", content: bytes("Name: Li Lei\n") }, summary: "File personal-data-1.txt: the same, readable" },
      ],
    });
    const printed = await session(coreAnswering(reply), ["/crm export-person Li Lei"], exportsDir);

    expect(readFileSync(join(exportsDir, "personal-data-1.json"), "utf8")).toBe('{"name":"Li Lei"}');
    expect(readFileSync(join(exportsDir, "personal-data-1.txt"), "utf8")).toBe("Name: Li Lei\n");
    expect(printed).toContain("File personal-data-1.json: the data as JSON");
    expect(printed).toContain(`Saved Personal data (JSON): ${join(exportsDir, "personal-data-1.json")}`);
    expect(printed).toContain(`Saved Personal data (text): ${join(exportsDir, "personal-data-1.txt")}`);
  });

  it("never overwrites an earlier file, and says so in the rep's language", async () => {
    const exportsDir = scratch();
    const reply = (): Message => ({
      visibility: "private",
      summary: "x",
      blocks: [{ type: "file", file: { filename: "same.json", title: "导出", mimeType: "application/json", content: bytes("new") }, summary: "文件 same.json" }],
    });
    writeFileSync(join(exportsDir, "same.json"), "earlier");
    const printed = await session(coreAnswering(reply), ["a", "b"], exportsDir, "zh-CN");
    expect(readFileSync(join(exportsDir, "same.json"), "utf8")).toBe("earlier");
    expect(readFileSync(join(exportsDir, "same-2.json"), "utf8")).toBe("new");
    expect(readFileSync(join(exportsDir, "same-3.json"), "utf8")).toBe("new");
    expect(printed).toContain(`已保存导出：${join(exportsDir, "same-2.json")}`);
  });

  it("keeps a file inside the directory whatever its name says, and moves a temporary file there", () => {
    const exportsDir = scratch();
    const t = translator("en");
    const temp = join(scratch(), "export-tmp.csv");
    writeFileSync(temp, "a,b\n");
    const file: OutgoingFile = { filename: "../../etc/passwd\u0007.csv", title: "Sneaky", mimeType: "text/csv", content: { path: temp } };
    const said = saveFile(exportsDir, file, t);
    expect(readdirSync(exportsDir)).toEqual(["passwd-.csv"]);
    expect(readFileSync(join(exportsDir, "passwd-.csv"), "utf8")).toBe("a,b\n");
    expect(said).toBe(`Saved Sneaky: ${join(exportsDir, "passwd-.csv")}`);
    // The temporary copy may hold personal data: it is gone once saved.
    expect(existsSync(temp)).toBe(false);
  });

  it("says plainly when a file cannot be saved", () => {
    const root = scratch();
    const blocked = join(root, "not-a-dir");
    writeFileSync(blocked, "a file where the directory should be");
    const said = saveFile(blocked, { filename: "x.json", title: "X", mimeType: "application/json", content: bytes("{}") }, translator("en"));
    expect(said).toMatch(/^Could not save x\.json: /);
  });
});
