import type { Block as SlackBlock, KnownBlock, ModalView } from "@slack/types";
import type { Block, Button, Form, FormField, Message } from "../../src/core/index.js";
import { escapeMrkdwn, inlineCode, safeLink, truncate } from "./escape.js";

/** Slack's documented limits (PROTOCOLS.md). */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  fieldsPerSection: 10,
  fieldText: 2_000,
  contextText: 2_000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2_000,
  actionsElements: 25,
  fallbackText: 3_000,
  modalTitle: 24,
  modalBlocks: 100,
  homeBlocks: 100,
  privateMetadata: 3_000,
  inputLabel: 2_000,
  placeholder: 150,
  initialValue: 3_000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
} as const;

/** Lists longer than this are written as text, without a button per item, to stay under 50 blocks. */
const MAX_ITEM_SECTIONS = 12;

/**
 * Slack wants action ids unique within a block; the same handler can appear twice (two
 * "Open" buttons), so the position is appended and stripped again on the way in.
 */
export function slackActionId(id: string, index: number): string {
  return `${id}#${index}`;
}

export function handlerOfActionId(actionId: string): string {
  const hash = actionId.lastIndexOf("#");
  return hash < 0 ? actionId : actionId.slice(0, hash);
}

/** The key of a thread in the permalinks a sender looked up for a message. */
export function threadKey(opens: { channel: string; thread: string }): string {
  return `${opens.channel}/${opens.thread}`;
}

/** Numbers the buttons of one message so their action ids differ; knows the threads' permalinks. */
class ButtonNumbers {
  constructor(readonly links: ReadonlyMap<string, string>) {}
  private next = 0;
  take(): number {
    return this.next++;
  }
}

function confirmOf(confirm: NonNullable<Button["confirm"]>) {
  const plain = (text: string, max: number) => ({ type: "plain_text" as const, text: truncate(text, max) });
  return { title: plain(confirm.title, 100), text: plain(confirm.text, 300), confirm: plain(confirm.yes, 30), deny: plain(confirm.no, 30), style: "danger" as const };
}

function button(b: Button, numbers: ButtonNumbers) {
  if (b.choices) {
    // A menu: the chosen option's value comes back as the action's value (slack-adapter.ts).
    return {
      type: "static_select" as const,
      action_id: slackActionId(b.action.id, numbers.take()),
      placeholder: { type: "plain_text" as const, text: truncate(b.label, LIMITS.placeholder), emoji: true },
      options: b.choices.slice(0, LIMITS.selectOptions).map((o) => ({ text: { type: "plain_text" as const, text: truncate(o.label, LIMITS.optionText) }, value: o.value.slice(0, LIMITS.optionValue) })),
      ...(b.confirm ? { confirm: confirmOf(b.confirm) } : {}),
    };
  }
  return {
    ...(b.confirm ? { confirm: confirmOf(b.confirm) } : {}),
    type: "button" as const,
    text: { type: "plain_text" as const, text: truncate(b.label, LIMITS.buttonText), emoji: true },
    action_id: slackActionId(b.action.id, numbers.take()),
    value: b.action.value.slice(0, LIMITS.buttonValue),
    ...(b.style ? { style: b.style } : {}),
    // A link to a conversation thread: its permalink, looked up by the sender (Slack still reports the click).
    ...(b.opens && numbers.links.has(threadKey(b.opens)) ? { url: numbers.links.get(threadKey(b.opens)) } : {}),
  };
}

function render(block: Block, numbers: ButtonNumbers): KnownBlock[] {
  const section = (text: string, accessory?: Button): KnownBlock => ({
    type: "section",
    text: { type: "mrkdwn", text: truncate(text, LIMITS.sectionText) },
    ...(accessory ? { accessory: button(accessory, numbers) } : {}),
  });
  switch (block.type) {
    case "header":
      return [{ type: "header", text: { type: "plain_text", text: truncate(block.text, LIMITS.headerText), emoji: false } }];
    case "text":
      return [section(block.title ? `*${escapeMrkdwn(block.title)}*\n${escapeMrkdwn(block.text)}` : escapeMrkdwn(block.text))];
    case "fields": {
      const out: KnownBlock[] = [];
      for (let i = 0; i < block.fields.length; i += LIMITS.fieldsPerSection) {
        out.push({
          type: "section",
          fields: block.fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => ({
            type: "mrkdwn" as const,
            text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, LIMITS.fieldText),
          })),
        });
      }
      return out;
    }
    case "list": {
      const out: KnownBlock[] = [];
      if (block.title) out.push(section(`*${escapeMrkdwn(block.title)}*`));
      if (block.items.length === 0) {
        if (block.empty) out.push({ type: "context", elements: [{ type: "mrkdwn", text: escapeMrkdwn(block.empty) }] });
        return out;
      }
      const line = (title: string, detail?: string) => (detail ? `*${escapeMrkdwn(title)}*\n${escapeMrkdwn(detail)}` : `*${escapeMrkdwn(title)}*`);
      if (block.items.length <= MAX_ITEM_SECTIONS) {
        for (const item of block.items) {
          out.push(section(line(item.title, item.detail), item.button));
          if (item.buttons?.length) out.push({ type: "actions", elements: item.buttons.slice(0, LIMITS.actionsElements).map((b) => button(b, numbers)) });
        }
        return out;
      }
      // Long lists: several items per section, cut at Slack's section limit.
      let chunk = "";
      for (const item of block.items) {
        const next = line(item.title, item.detail);
        if (chunk && chunk.length + next.length + 1 > LIMITS.sectionText) {
          out.push(section(chunk));
          chunk = "";
        }
        chunk = chunk ? `${chunk}\n${next}` : next;
      }
      if (chunk) out.push(section(chunk));
      return out;
    }
    case "context":
      return [{ type: "context", elements: [{ type: "mrkdwn", text: truncate(escapeMrkdwn(block.text), LIMITS.contextText) }] }];
    case "examples":
      return [{ type: "context", elements: [{ type: "mrkdwn", text: truncate(`${escapeMrkdwn(block.label)} ${block.examples.map(inlineCode).join("  ")}`, LIMITS.contextText) }] }];
    case "link":
      return [section(safeLink(block.url, block.label))];
    case "chart":
      // The image itself is uploaded next to the message; the text keeps the figures readable.
      return render({ type: "context", text: block.alt }, numbers);
    case "file":
      // The file itself is uploaded after the message; the text says what it is.
      return render({ type: "context", text: block.summary }, numbers);
    case "divider":
      return [{ type: "divider" }];
    case "buttons":
      return block.buttons.length === 0 ? [] : [{ type: "actions", elements: block.buttons.slice(0, LIMITS.actionsElements).map((b) => button(b, numbers)) }];
    case "mention": {
      // Only a well-formed Slack user id becomes a mention; anything else is a name, escaped.
      const who = block.people.map((p) => (p.platform === "slack" && /^[UW][A-Z0-9]{2,}$/.test(p.id) ? `<@${p.id}>` : escapeMrkdwn(p.name)));
      return [section(`${who.join(" ")} ${escapeMrkdwn(block.text)}`.trim())];
    }
  }
}

export interface SlackMessage {
  text: string;
  blocks: (KnownBlock | SlackBlock)[];
}

/** A neutral message as Block Kit, within Slack's limits, every stored string escaped. */
export function renderMessage(message: Message, links: ReadonlyMap<string, string> = new Map(), maxBlocks: number = LIMITS.blocksPerMessage): SlackMessage {
  const numbers = new ButtonNumbers(links);
  let blocks = message.blocks.flatMap((b) => render(b, numbers));
  if (blocks.length > maxBlocks) {
    // Keep the action row (it is last) and say that the rest was cut.
    const actions = blocks[blocks.length - 1]?.type === "actions" ? [blocks[blocks.length - 1]!] : [];
    blocks = [...blocks.slice(0, maxBlocks - 1 - actions.length), { type: "context", elements: [{ type: "mrkdwn", text: "…" }] }, ...actions];
  }
  return { text: truncate(escapeMrkdwn(message.summary), LIMITS.fallbackText), blocks };
}

/**
 * The rep's Home as a view for views.publish: a Home tab holds 100 blocks (a message 50), and
 * `callback_id` names it so a button pressed on it is known to come from the Home.
 */
export function renderHome(message: Message, links: ReadonlyMap<string, string> = new Map()) {
  const { blocks } = renderMessage(message, links, LIMITS.homeBlocks);
  return { type: "home" as const, callback_id: HOME_VIEW_ID, blocks };
}

/** The callback id of the Home view the bot publishes. */
export const HOME_VIEW_ID = "crm_home";

/**
 * Adapter state around the core's form state: which channel to answer in afterwards, and
 * whether the form was opened from the Home (its submission publishes the Home again).
 */
export interface ModalMetadata {
  state: string;
  channelId?: string;
  fromHome?: boolean;
}

export function renderModal(form: Form, metadata: ModalMetadata): ModalView {
  const privateMetadata = JSON.stringify({ s: metadata.state, ...(metadata.channelId ? { c: metadata.channelId } : {}), ...(metadata.fromHome ? { h: 1 } : {}) });
  if (privateMetadata.length > LIMITS.privateMetadata) throw new Error("form state too large for a Slack modal");
  return {
    type: "modal",
    callback_id: form.id,
    private_metadata: privateMetadata,
    title: { type: "plain_text", text: truncate(form.title, LIMITS.modalTitle) },
    submit: { type: "plain_text", text: truncate(form.submitLabel, LIMITS.modalTitle) },
    blocks: [
      // A confirmation says what submitting will do, above the fields.
      ...(form.intro ? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: truncate(escapeMrkdwn(form.intro), LIMITS.sectionText) } }] : []),
      ...form.fields.slice(0, LIMITS.modalBlocks - (form.intro ? 1 : 0)).map(inputBlock),
    ],
  };
}

function inputBlock(field: FormField) {
  return {
    type: "input" as const,
    block_id: field.id,
    optional: field.optional ?? false,
    label: { type: "plain_text" as const, text: truncate(field.label, LIMITS.inputLabel) },
    element: field.kind === "select" ? selectElement(field) : {
      type: "plain_text_input" as const,
      action_id: "value",
      multiline: field.kind === "long-text",
      ...(field.maxLength ? { max_length: field.maxLength } : {}),
      ...(field.initial ? { initial_value: field.initial.slice(0, Math.min(LIMITS.initialValue, field.maxLength ?? LIMITS.initialValue)) } : {}),
      ...(field.placeholder ? { placeholder: { type: "plain_text" as const, text: truncate(field.placeholder, LIMITS.placeholder) } } : {}),
    },
  };
}

/** A select field as a static_select (at most 100 options; labels 75 characters, values 150). */
function selectElement(field: FormField) {
  const options = (field.options ?? []).slice(0, LIMITS.selectOptions).map((o) => ({
    text: { type: "plain_text" as const, text: truncate(o.label, LIMITS.optionText) || o.value.slice(0, LIMITS.optionText), emoji: true },
    value: o.value.slice(0, LIMITS.optionValue),
  }));
  const initial = options.find((o) => o.value === field.initial);
  return {
    type: "static_select" as const,
    action_id: "value",
    options,
    ...(initial ? { initial_option: initial } : {}),
    ...(field.placeholder ? { placeholder: { type: "plain_text" as const, text: truncate(field.placeholder, LIMITS.placeholder) } } : {}),
  };
}

export function parseModalMetadata(raw: string | undefined): ModalMetadata {
  try {
    const parsed = JSON.parse(raw ?? "{}") as { s?: unknown; c?: unknown; h?: unknown };
    return { state: typeof parsed.s === "string" ? parsed.s : "{}", ...(typeof parsed.c === "string" ? { channelId: parsed.c } : {}), ...(parsed.h === 1 ? { fromHome: true } : {}) };
  } catch {
    return { state: "{}" };
  }
}
