import { randomUUID } from "node:crypto";
import type { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { SIGNING_SECRET } from "./bot.js";
import { interactivityBody, postToSlackEndpoint, slashCommandBody, type SignedPost } from "./slack-requests.js";

export interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

type Blocks = Record<string, unknown>[];

/** Every button in a Block Kit message: in actions blocks and as section accessories. */
export function buttonsIn(blocks: Blocks): SlackButton[] {
  const out: SlackButton[] = [];
  for (const block of blocks) {
    if (block.type === "actions") out.push(...(block.elements as SlackButton[]));
    const accessory = block.accessory as SlackButton | undefined;
    if (accessory) out.push(accessory);
  }
  return out;
}

export function findButton(blocks: Blocks, handler: string, label?: string): SlackButton {
  const button = buttonsIn(blocks).find((b) => b.action_id.startsWith(`${handler}#`) && (!label || b.text.text === label));
  if (!button) throw new Error(`no ${handler} button in ${JSON.stringify(blocks).slice(0, 500)}`);
  return button;
}

/** All visible text of Block Kit blocks, as a rep would read it. */
export function visibleText(blocks: Blocks): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      // Slack shows &lt; &gt; &amp; in mrkdwn as < > &.
      if (o.type === "mrkdwn" && typeof o.text === "string") parts.push(o.text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
      if (o.type === "plain_text" && typeof o.text === "string") parts.push(o.text);
      for (const [k, v] of Object.entries(o)) if (k !== "text" || typeof v !== "string") walk(v);
    }
  };
  walk(blocks);
  // Money is formatted with a no-break space between code and amount.
  return parts.join("\n").replace(/\u00a0/g, " ");
}

/** The mrkdwn strings of blocks, raw, as Slack parses them for mentions and links. */
export function mrkdwnTexts(blocks: Blocks): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

/** An input block of a modal as the bot rendered it. */
export interface FormInputBlock {
  block_id: string;
  element: { type: string; initial_value?: string; initial_option?: { value: string }; options?: { value: string; text: { text: string } }[] };
}

export interface SlackUser {
  id: string;
  name: string;
}

/** Plays a Slack client: signed slash commands, button presses, modal submissions, shortcuts. */
export class SlackDriver {
  constructor(readonly base: string, readonly slack: FakeSlackApi) {}

  async command(user: SlackUser, command: string, text: string, channelId = "C0SALES"): Promise<{ http: SignedPost; responseUrl: string }> {
    const responseUrl = this.slack.responseUrl(randomUUID());
    const body = slashCommandBody({ command, text, userId: user.id, userName: user.name, channelId, responseUrl });
    const http = await postToSlackEndpoint(`${this.base}/slack/events`, body, "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
    return { http, responseUrl };
  }

  /**
   * Writes to the bot in the rep's direct message (an Events API message.im) and returns the
   * text of the bot's answer posted in that DM.
   */
  async dm(user: SlackUser, text: string): Promise<string> {
    const channel = `D${user.id.slice(1)}`;
    const before = this.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel).length;
    const n = ++this.events;
    const body = JSON.stringify({
      token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `EvDm${randomUUID()}`, event_time: 1763600000,
      event: { type: "message", channel, channel_type: "im", user: user.id, text, ts: `1763600${String(n).padStart(3, "0")}.000100`, team: "T0001" },
    });
    const res = await postToSlackEndpoint(`${this.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
    const posted = await eventually(() => this.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel)[before], 10_000);
    return visibleText(posted.body.blocks as Blocks);
  }

  private events = 0;

  /** Runs a command and returns the blocks of the reply the rep sees (from the HTTP answer). */
  async ask(user: SlackUser, command: string, text: string): Promise<{ blocks: Blocks; text: string; responseType: unknown }> {
    const { http } = await this.command(user, command, text);
    if (http.status !== 200) throw new Error(`HTTP ${http.status}: ${http.text}`);
    const body = http.json();
    return { blocks: (body.blocks as Blocks) ?? [], text: visibleText((body.blocks as Blocks) ?? []), responseType: body.response_type };
  }

  async press(user: SlackUser, button: SlackButton, channelId = "C0SALES"): Promise<{ http: SignedPost; responseUrl: string; triggerId: string }> {
    const responseUrl = this.slack.responseUrl(randomUUID());
    const triggerId = `${Date.now()}.2.${randomUUID().slice(0, 8)}`;
    const payload = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: "T0001" },
      api_app_id: "A0CRM",
      token: "deprecated-verification-token",
      container: { type: "message", message_ts: "1700000000.000100", channel_id: channelId, is_ephemeral: true },
      trigger_id: triggerId,
      team: { id: "T0001", domain: "acme-sales" },
      channel: { id: channelId, name: "sales" },
      response_url: responseUrl,
      actions: [{ ...button, block_id: "b1", type: "button", action_ts: `${Date.now() / 1000}` }],
    };
    const http = await postToSlackEndpoint(`${this.base}/slack/events`, interactivityBody(payload), "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
    return { http, responseUrl, triggerId };
  }

  /** Presses a button and waits for what the bot posts to its response_url. */
  async pressAndRead(user: SlackUser, button: SlackButton): Promise<Record<string, unknown>> {
    const { responseUrl } = await this.press(user, button);
    const path = new URL(responseUrl).pathname;
    const posted = await eventually(() => this.slack.responses.find((r) => r.path === path));
    return posted.body;
  }

  /** The modal the bot opened with this trigger id. */
  async openedView(triggerId: string): Promise<Record<string, unknown>> {
    const call = await eventually(() => this.slack.callsTo("views.open").find((c) => c.body.trigger_id === triggerId));
    return call.body.view as Record<string, unknown>;
  }

  /** Submits a modal with these text inputs' values (the other inputs as absent). */
  async submit(user: SlackUser, view: Record<string, unknown>, values: Record<string, string>): Promise<SignedPost> {
    return this.submitState(user, view, Object.fromEntries(Object.entries(values).map(([block, value]) => [block, { value: { type: "plain_text_input", value } }])));
  }

  /**
   * Submits a modal as Slack sends it: every input with its current content (what the user
   * changed, else what the form started with), selects as their selected options.
   */
  async submitForm(user: SlackUser, view: Record<string, unknown>, changes: Record<string, string>): Promise<SignedPost> {
    const values = Object.fromEntries(
      (view.blocks as (FormInputBlock & { type?: string })[]).filter((b) => b.type === undefined || b.type === "input").map((b): [string, unknown] => {
        if (b.element.type === "static_select") {
          const value = changes[b.block_id] ?? b.element.initial_option?.value;
          return [b.block_id, { value: { type: "static_select", selected_option: value ? { value, text: { type: "plain_text", text: value } } : null } }];
        }
        return [b.block_id, { value: { type: "plain_text_input", value: changes[b.block_id] ?? b.element.initial_value ?? null } }];
      }),
    );
    return this.submitState(user, view, values);
  }

  private async submitState(user: SlackUser, view: Record<string, unknown>, values: Record<string, unknown>): Promise<SignedPost> {
    const payload = {
      type: "view_submission",
      team: { id: "T0001", domain: "acme-sales" },
      user: { id: user.id, username: user.name, name: user.name, team_id: "T0001" },
      api_app_id: "A0CRM",
      token: "deprecated-verification-token",
      // Unique: two submissions of the same values are two requests, not a replay of one.
      trigger_id: `${Date.now()}.3.${randomUUID().slice(0, 8)}`,
      view: {
        id: "V0001",
        team_id: "T0001",
        type: "modal",
        blocks: view.blocks,
        private_metadata: view.private_metadata,
        callback_id: view.callback_id,
        state: { values },
        hash: "1700000000.abcd",
        title: view.title,
      },
      response_urls: [],
    };
    return postToSlackEndpoint(`${this.base}/slack/events`, interactivityBody(payload), "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
  }

  async messageShortcut(user: SlackUser, message: { ts: string; text: string; user: string }, channelId = "C0SALES"): Promise<{ http: SignedPost; triggerId: string }> {
    const triggerId = `${Date.now()}.4.${randomUUID().slice(0, 8)}`;
    const payload = {
      type: "message_action",
      token: "deprecated-verification-token",
      action_ts: `${Date.now() / 1000}`,
      team: { id: "T0001", domain: "acme-sales" },
      user: { id: user.id, username: user.name, name: user.name, team_id: "T0001" },
      channel: { id: channelId, name: "sales" },
      is_enterprise_install: false,
      callback_id: "log_to_crm",
      trigger_id: triggerId,
      response_url: this.slack.responseUrl(randomUUID()),
      message_ts: message.ts,
      message: { type: "message", user: message.user, text: message.text, ts: message.ts, team: "T0001" },
    };
    const http = await postToSlackEndpoint(`${this.base}/slack/events`, interactivityBody(payload), "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
    return { http, triggerId };
  }
}
