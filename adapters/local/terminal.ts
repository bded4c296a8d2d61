import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import type { Actor, Button, Core, Form, InboundEvent, Outcome } from "../../src/core/index.js";
import { formIntro, renderText } from "./render-text.js";

export interface TerminalOptions {
  core: Core;
  actor: Actor;
  input: Readable;
  output: Writable;
  /** Printed once at the start. */
  banner?: string;
}

/**
 * The credential-free adapter: a prompt where a newcomer types the commands a rep types in
 * Slack ("/customer Acme", or without the slash) and sees the same replies as text. A number
 * presses the button with that number in the last reply.
 */
export async function runTerminal(options: TerminalOptions): Promise<void> {
  const { core, actor, output } = options;
  const rl = createInterface({ input: options.input, output, terminal: false });
  const write = (text: string) => output.write(`${text}\n`);
  let buttons: Button[] = [];
  const lines = rl[Symbol.asyncIterator]();
  const prompt = async (question: string): Promise<string | undefined> => {
    output.write(question);
    const next = await lines.next();
    return next.done ? undefined : String(next.value);
  };

  async function fillForm(form: Form): Promise<Outcome | undefined> {
    write(formIntro(form));
    const values: Record<string, string> = {};
    for (const field of form.fields) values[field.id] = field.initial ?? "";
    let ask = form.fields;
    for (;;) {
      for (const field of ask) {
        const current = values[field.id] ?? "";
        const shown = current.length > 60 ? `${current.slice(0, 57)}...` : current;
        const answer = await prompt(`  ${field.label}${field.optional ? " (optional)" : ""}${shown ? ` [${shown}]` : ""}: `);
        if (answer === undefined || answer.trim().toLowerCase() === "cancel") return undefined;
        if (answer.trim()) values[field.id] = answer.trim();
      }
      const outcome = await core.handle({ type: "form", actor, formId: form.id, values, state: form.state });
      if (outcome.kind !== "form-errors") return outcome;
      for (const [field, error] of Object.entries(outcome.errors)) write(`  ! ${form.fields.find((f) => f.id === field)?.label ?? ""} ${error}`.trimEnd());
      ask = form.fields.filter((f) => f.id in outcome.errors || "_form" in outcome.errors);
    }
  }

  async function show(outcome: Outcome | undefined): Promise<void> {
    if (!outcome || outcome.kind === "none") return;
    if (outcome.kind === "form") return show(await fillForm(outcome.form));
    if (outcome.kind === "form-errors") {
      write(Object.values(outcome.errors).join("\n"));
      return;
    }
    const rendered = renderText(outcome.message);
    buttons = rendered.buttons;
    write(`${outcome.message.visibility === "shared" ? "(shared with the channel)\n" : ""}${rendered.text}\n`);
  }

  if (options.banner) write(options.banner);
  for (;;) {
    const line = await prompt("crm> ");
    if (line === undefined) break;
    const text = line.trim();
    if (!text) continue;
    if (/^(exit|quit|\\q)$/i.test(text)) break;
    const pressed = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
    if (/^\d+$/.test(text) && !pressed) {
      write(buttons.length > 0 ? `There is no button ${text}; the last reply has ${buttons.length}.` : "There are no buttons to press; type a command such as /crm help.");
      continue;
    }
    const outcome = pressed
      ? await core.handle({ type: "action", actor, action: pressed.action })
      : await core.handle(commandFromText(actor, text));
    await show(outcome);
  }
  rl.close();
}

/** "/customer Acme", "customer Acme" and "crm customer Acme" all mean the same. */
export function commandFromText(actor: Actor, text: string): InboundEvent {
  const [first = "", ...rest] = text.replace(/^\//, "").split(/\s+/);
  return { type: "command", actor, command: "crm", text: first.toLowerCase() === "crm" ? rest.join(" ") : [first, ...rest].join(" ") };
}
