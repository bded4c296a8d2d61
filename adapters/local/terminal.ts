import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import { clearLine, createInterface, cursorTo } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Actor, Button, Core, Form, InboundEvent, Message, Outcome, OutgoingFile, Translate } from "../../src/core/index.js";
import { truncateToWidth } from "./display-width.js";
import { formIntro, renderText } from "./render-text.js";

export interface TerminalOptions {
  core: Core;
  actor: Actor;
  input: Readable;
  output: Writable;
  /** Printed once at the start. */
  banner?: string;
  /**
   * Line editing and history (arrow keys, Ctrl+R ...) through Node's readline. On by default
   * when input and output are both a terminal; piped input is read line by line.
   */
  terminal?: boolean;
  /** Lines from an earlier session for ↑ to recall, most recent first (readline's order). */
  history?: string[];
  /** Where files a reply carries (an export) are saved: `exports` in the working directory by default. */
  exportsDir?: string;
}

export interface Terminal {
  /**
   * Shows a message nobody typed a command for (a reminder that fired) as soon as the prompt
   * is free, above the line being typed; its buttons become the numbered ones. False when the
   * terminal has closed, so nobody will see it.
   */
  notify(message: Message): boolean;
  /** Resolves when the rep quits ("exit", Ctrl+C or Ctrl+D on an empty line, end of input). */
  readonly closed: Promise<void>;
}

/** Lines ↑ can recall in one session. */
const HISTORY_SIZE = 500;
/** Longest current value a form shows in brackets, in terminal columns. */
const SHOWN_VALUE_WIDTH = 60;

/**
 * The credential-free adapter: a prompt where a newcomer types the commands a rep types in
 * Slack ("/customer Acme", or without the slash) and sees the same replies as text, in the
 * rep's language. A number presses the button with that number in the last reply.
 */
export function startTerminal(options: TerminalOptions): Terminal {
  const { core, actor, output } = options;
  const t = core.translatorFor(actor);
  const tty = options.terminal ?? Boolean(isTty(options.input) && isTty(output));
  const rl = createInterface({
    input: options.input,
    output,
    terminal: tty,
    ...(tty ? { historySize: HISTORY_SIZE, removeHistoryDuplicates: true, history: [...(options.history ?? [])] } : {}),
  });
  const write = (text: string) => output.write(`${text}\n`);
  let buttons: Button[] = [];
  // Piped input may end (and readline close) while its last lines still wait to be read.
  let closed = false;
  rl.on("close", () => (closed = true));
  const lines = rl[Symbol.asyncIterator]();
  const drawPrompt = (keepTyped = false) => {
    // On a terminal readline draws the prompt itself, so it can redraw it while a line is edited.
    if (tty && !closed) rl.prompt(keepTyped);
    else output.write(rl.getPrompt());
  };
  const ask = async (question: string): Promise<string | undefined> => {
    rl.setPrompt(question);
    drawPrompt();
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };
  // Ctrl+C clears what was typed, as in a shell; on an empty line it quits.
  rl.on("SIGINT", () => {
    if (!rl.line) {
      write("");
      rl.close();
      return;
    }
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
  });

  const exportsDir = resolve(options.exportsDir ?? "exports");

  function print(message: Message): void {
    const rendered = renderText(message);
    buttons = rendered.buttons;
    const saved = message.blocks.flatMap((b) => (b.type === "file" ? [saveFile(exportsDir, b.file, t)] : []));
    write(`${message.visibility === "shared" ? `${t("terminal.shared")}\n` : ""}${[rendered.text, ...saved].join("\n")}\n`);
  }

  // Messages that arrive on their own wait until the prompt is free (not in the middle of a
  // reply or a form), then appear above the line being typed, which is drawn again after them.
  const arrived: Message[] = [];
  let atPrompt = false;
  let finished = false;
  function showArrived(): void {
    if (arrived.length === 0) return;
    if (atPrompt) {
      if (tty) {
        clearLine(output, 0);
        cursorTo(output, 0);
      } else {
        write("");
      }
    }
    for (const message of arrived.splice(0)) {
      write(t("terminal.arrived"));
      print(message);
    }
    if (atPrompt) drawPrompt(true);
  }

  async function fillForm(form: Form): Promise<Outcome | undefined> {
    write(formIntro(form, t));
    const values: Record<string, string> = {};
    for (const field of form.fields) values[field.id] = field.initial ?? "";
    let fields = form.fields;
    for (;;) {
      for (const field of fields) {
        const current = values[field.id] ?? "";
        const options = field.kind === "select" ? (field.options ?? []) : undefined;
        // A select lists its choices, numbered; its value is shown by its label.
        if (options) write(options.map((o, i) => `    ${i + 1}) ${o.label}`).join("\n"));
        const shown = truncateToWidth(options ? (options.find((o) => o.value === current)?.label ?? current) : current, SHOWN_VALUE_WIDTH);
        const answer = await ask(`  ${field.label}${field.optional ? ` ${t("terminal.optional")}` : ""}${shown ? ` [${shown}]` : ""}: `);
        if (answer === undefined || CANCEL.test(answer.trim())) return undefined;
        const typed = answer.trim();
        if (!typed) continue;
        // An optional field is emptied with "-" (an empty line keeps what is there).
        if (!options) values[field.id] = typed === "-" && field.optional ? "" : typed;
        else values[field.id] = optionFor(options, typed.normalize("NFKC")) ?? typed;
      }
      const outcome = await core.handle({ type: "form", actor, formId: form.id, values, state: form.state });
      if (outcome.kind !== "form-errors") return outcome;
      for (const [field, error] of Object.entries(outcome.errors)) write(`  ! ${form.fields.find((f) => f.id === field)?.label ?? ""} ${error}`.trimEnd());
      fields = form.fields.filter((f) => f.id in outcome.errors || "_form" in outcome.errors);
    }
  }

  async function show(outcome: Outcome | undefined): Promise<void> {
    if (!outcome || outcome.kind === "none") return;
    if (outcome.kind === "form") return show(await fillForm(outcome.form));
    if (outcome.kind === "form-errors") {
      write(Object.values(outcome.errors).join("\n"));
      return;
    }
    print(outcome.message);
  }

  async function run(): Promise<void> {
    if (options.banner) write(options.banner);
    for (;;) {
      showArrived();
      atPrompt = true;
      const line = await ask("crm> ");
      atPrompt = false;
      if (line === undefined) break;
      // Full-width digits and words (typed with a Chinese input method) count as their ASCII selves.
      const text = line.trim();
      const folded = text.normalize("NFKC");
      if (!text) continue;
      if (EXIT.test(folded)) break;
      if (/^\d+$/.test(folded)) {
        const pressed = buttons[Number(folded) - 1];
        if (pressed) await show(await core.handle({ type: "action", actor, action: pressed.action }));
        else write(buttons.length > 0 ? t("terminal.noSuchButton", { number: folded, count: buttons.length }) : t("terminal.noButtons"));
        continue;
      }
      await show(await core.handle(commandFromText(actor, text)));
    }
    // What arrived during the last reply is still shown before the terminal goes.
    finished = true;
    atPrompt = false;
    showArrived();
    rl.close();
  }

  return {
    notify(message) {
      if (finished) return false;
      arrived.push(message);
      if (atPrompt) showArrived();
      return true;
    },
    closed: run(),
  };
}

/**
 * Saves a file a reply carries under `dir` (made if missing) and says where, or why not. The
 * name is the file's own, made safe (no directories, no control characters) and never
 * overwriting an earlier one; a temporary copy is removed once saved.
 */
export function saveFile(dir: string, file: OutgoingFile, t: Translate): string {
  // eslint-disable-next-line no-control-regex
  const safe = basename(file.filename.normalize("NFC")).replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "-").replace(/^\.+/, "") || "file";
  const ext = extname(safe);
  const stem = safe.slice(0, safe.length - ext.length) || "file";
  try {
    mkdirSync(dir, { recursive: true });
    let target = join(dir, safe);
    for (let n = 2; existsSync(target); n++) target = join(dir, `${stem}-${n}${ext}`);
    if ("path" in file.content) {
      copyFileSync(file.content.path, target);
      rmSync(file.content.path, { force: true });
    } else {
      writeFileSync(target, file.content, { flag: "wx" });
    }
    const shown = relative(process.cwd(), target);
    return t("terminal.saved", { title: file.title, path: shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : target });
  } catch (error) {
    return t("terminal.saveFailed", { file: safe, reason: error instanceof Error ? error.message : String(error) });
  }
}

/** The option a typed answer picks: its number, its value or its label (any case). */
function optionFor(options: readonly { value: string; label: string }[], typed: string): string | undefined {
  if (/^\d+$/.test(typed)) return options[Number(typed) - 1]?.value;
  const lower = typed.toLowerCase();
  return options.find((o) => o.value.toLowerCase() === lower || o.label.toLowerCase() === lower)?.value;
}

/** Runs the prompt until the rep quits. */
export async function runTerminal(options: TerminalOptions): Promise<void> {
  await startTerminal(options).closed;
}

const EXIT = /^(exit|quit|\\q|退出)$/i;
const CANCEL = /^(cancel|取消)$/i;

function isTty(stream: Readable | Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * What a typed line asks: "/customer Acme", "customer Acme" and "crm customer Acme" mean the
 * same, and so do "／customer Acme" and "ｃｕｓｔｏｍｅｒ Acme" (a slash or word typed with a
 * Chinese input method, folded by NFKC). Everything else goes to the core as it is, where a bare
 * customer name opens the card and other text is read as a question.
 */
export function commandFromText(actor: Actor, text: string): InboundEvent {
  // The core folds the slash and the command word and reads "/crm …"; a leading slash stays, so
  // "/foo bar" is an unknown command, not a question.
  return { type: "command", actor, command: "crm", text: text.trim() };
}
