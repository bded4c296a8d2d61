import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { startTerminal } from "../../adapters/local/terminal.js";
import type { Core, InboundEvent, Message } from "../../src/core/index.js";
import { translator } from "../../src/i18n/index.js";

/** A core that answers every command with one line naming it, and remembers what it got. */
function echoCore(): { core: Core; commands: string[] } {
  const commands: string[] = [];
  const core: Core = {
    async handle(event: InboundEvent) {
      const said = event.type === "command" ? event.text : event.type;
      commands.push(said);
      return { kind: "message", message: { visibility: "private", summary: said, blocks: [{ type: "text", text: `got: ${said}` }] } };
    },
    ingest: () => Promise.reject(new Error("not used")),
    renderNotification: () => Promise.reject(new Error("not used")),
    translatorFor: (actor) => translator(actor.locale === "zh-CN" ? "zh-CN" : "en"),
  };
  return { core, commands };
}

/** Streams that say they are a terminal, as process.stdin and stdout do in a shell. */
function fakeTty() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  // What the screen shows, near enough: the text without readline's cursor movements.
  // eslint-disable-next-line no-control-regex
  return { input, output, printed: () => printed.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "") };
}

async function until(check: () => boolean, what = String(check)): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check(), what).toBe(true);
}

const UP = "\u001b[A";
const LEFT = "\u001b[D";

/** Key by key, as a terminal sends them (readline takes a chunk of several characters for a paste). */
function type(input: PassThrough, keys: readonly string[]): void {
  for (const key of keys) input.write(key);
}
const letters = (text: string) => [...text];

describe("the demo's prompt on a terminal", () => {
  it("edits the line and brings earlier lines back with the up arrow", async () => {
    const { core, commands } = echoCore();
    const tty = fakeTty();
    const terminal = startTerminal({ core, actor: { platform: "local", externalId: "rep", displayName: "Rep" }, input: tty.input, output: tty.output });
    // "Ace", one to the left, "m": the letter goes in the middle of the line.
    type(tty.input, [...letters("customer Ace"), LEFT, "m", "\r"]);
    await until(() => commands.length === 1);
    expect(commands[0]).toBe("customer Acme");
    type(tty.input, [...letters("top 5"), "\r"]);
    await until(() => commands.length === 2);
    // Up twice: the line before the last one, sent again unchanged.
    type(tty.input, [UP, UP, "\r"]);
    await until(() => commands.length === 3);
    expect(commands).toEqual(["customer Acme", "top 5", "customer Acme"]);
    type(tty.input, [...letters("exit"), "\r"]);
    await terminal.closed;
  });

  it("shows a message that arrives while a line is being typed above it, and keeps what was typed", async () => {
    const { core, commands } = echoCore();
    const tty = fakeTty();
    const terminal = startTerminal({ core, actor: { platform: "local", externalId: "rep", displayName: "Rep", locale: "zh-CN" }, input: tty.input, output: tty.output });
    type(tty.input, letters("cust"));
    await until(() => tty.printed().endsWith("crm> cust"));
    const reminder: Message = {
      visibility: "private",
      summary: "Reminder",
      blocks: [{ type: "text", text: "Reminder: call Acme" }, { type: "buttons", buttons: [{ label: "Done", action: { id: "reminder.done", value: "r1" } }] }],
    };
    terminal.notify(reminder);
    await until(() => tty.printed().includes("Reminder: call Acme"));
    const after = tty.printed().slice(tty.printed().indexOf("── 新消息 ──"));
    expect(after).toContain("[1] Done");
    // The prompt and the unfinished line are drawn again below the message.
    expect(after.trimEnd().endsWith("crm> cust")).toBe(true);
    type(tty.input, [...letters("omer Acme"), "\r"]);
    await until(() => commands.length === 1);
    expect(commands).toEqual(["customer Acme"]);
    // A message's buttons are the ones numbers press, until the next reply.
    terminal.notify(reminder);
    await until(() => tty.printed().split("Reminder: call Acme").length === 3);
    type(tty.input, ["1", "\r"]);
    await until(() => commands.length === 2);
    expect(commands[1]).toBe("action");
    type(tty.input, [...letters("exit"), "\r"]);
    await terminal.closed;
    // Nobody reads a closed terminal: the demo then keeps the message for next time.
    expect(terminal.notify(reminder)).toBe(false);
  });
});
