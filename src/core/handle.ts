import { z } from "zod";
import {
  ACTIONS, CUSTOMER_ACTIONS, FORMS, crmCommand, homeOpened, importUpload, findCommand, loadNotification, logMessageForm, notificationPayload, renderNotification, threadMessage, unknownCommand, usageFor, type CommandContext,
} from "../commands/index.js";
import { AppError, DeliveryError } from "../domain/errors.js";
import { createFormatter, isMessageKey, resolveLocale, translator, type Locale, type MessageKey, type Translate } from "../i18n/index.js";
import type { Block, Message, Outcome } from "../reply/reply.js";
import type { Rep, Services } from "../services/index.js";
import type { Actor, CustomerMessage, InboundEvent } from "./inbound-event.js";

export type OutcomeLabel = "ok" | "invalid" | "not_found" | "forbidden" | "unavailable" | "error";

export interface CoreObserver {
  /** Called once per event with what it was ("customer", "action:customer.show") and how it went. */
  handled(name: string, outcome: OutcomeLabel, seconds: number): void;
  /** An unexpected failure; the user saw a generic apology. */
  failed(name: string, error: unknown): void;
}

export interface CoreOptions {
  services: Services;
  defaultLocale: Locale;
  defaultTimezone: string;
  observer?: CoreObserver;
}

export interface Core {
  handle(event: InboundEvent): Promise<Outcome>;
  /**
   * Stores a customer's message (idempotent per platform message id). Resolves once it is
   * safely in Postgres; rejects when it is not, so the adapter must not acknowledge. Where a
   * worker runs, what the message means (lead, interaction, inbox, survey) is recorded after,
   * from the stored row: `newLead` is then not known yet (false).
   */
  ingest(message: CustomerMessage): Promise<{ recorded: boolean; newLead: boolean }>;
  /** An outbox payload as a message in its reader's language and time zone. */
  renderNotification(payload: unknown): Promise<Message>;
  /** The catalogue of the actor's language, for the few words an adapter says itself. */
  translatorFor(actor: Pick<Actor, "locale">): Translate;
}

function isTimeZone(tz: string | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Errors that mean Postgres (or another dependency) is not there, rather than a bug. */
function isUnavailable(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const text = error instanceof Error ? `${error.name} ${error.message} ${typeof code === "string" ? code : ""}` : "";
  return /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection terminated|timeout exceeded when trying to connect|Can't reach database server|P1001|P1002|P2024|DatabaseNotReachable|57P0[13]/i.test(text);
}

function eventName(event: InboundEvent): string {
  switch (event.type) {
    case "command": {
      const command = event.command.replace(/^\//, "");
      if (command === "crm") {
        const sub = findCommand(event.text.trim().split(/\s+/)[0] ?? "");
        return sub ? sub.name : "crm";
      }
      return findCommand(command)?.name ?? "unknown";
    }
    case "action":
      return ACTIONS[event.action.id] || CUSTOMER_ACTIONS[event.action.id] ? `action:${event.action.id}` : "action:unknown";
    case "form":
      return FORMS[event.formId] ? `form:${event.formId}` : "form:unknown";
    case "log-message":
      return "shortcut:log-message";
    case "file":
      return "file:import";
    case "thread-message":
      return "thread-message";
    case "home":
      return "home";
  }
}

function outcomeLabel(error: AppError): OutcomeLabel {
  switch (error.code) {
    case "INVALID_INPUT":
    case "AMBIGUOUS":
    case "CONFLICT":
      return "invalid";
    case "NOT_FOUND":
      return "not_found";
    case "FORBIDDEN":
      return "forbidden";
    case "UNAVAILABLE":
      return "unavailable";
  }
}

/**
 * The platform-neutral core: one entry point for every adapter. It registers the rep, picks
 * their language and time zone, routes the event to its command, action or form handler, and
 * turns anything thrown into an answer the user can act on.
 */
export function createCore(options: CoreOptions): Core {
  const { services, observer } = options;

  async function route(event: InboundEvent, ctx: CommandContext, inboxThreadId?: string): Promise<Outcome> {
    switch (event.type) {
      case "command": {
        const name = event.command.replace(/^\//, "");
        const command = name.toLowerCase() === "crm" ? crmCommand : findCommand(name);
        // A slash command the platform delivers but we do not handle: say so, and what there is.
        if (!command) return unknownCommand(ctx, `/${name}`);
        return command.run(ctx, event.text);
      }
      case "action": {
        const handler = ACTIONS[event.action.id];
        if (!handler) throw new AppError("INVALID_INPUT", "error.expired", {}, `unknown action ${event.action.id}`);
        return handler(ctx, event.action.value);
      }
      case "form": {
        const handler = FORMS[event.formId];
        if (!handler) throw new AppError("INVALID_INPUT", "error.expired", {}, `unknown form ${event.formId}`);
        return handler(ctx, event.values, event.state);
      }
      case "log-message":
        return logMessageForm(ctx, event.message.text, event.message.permalink, event.message.source);
      case "file":
        return importUpload(ctx, event.file);
      case "home":
        return homeOpened(ctx);
      case "thread-message": {
        // handle() looked the thread up before registering the writer; not ours means no work.
        if (!inboxThreadId) return { kind: "none" };
        return threadMessage(ctx, { threadId: inboxThreadId, text: event.message.text, ...(event.message.permalink ? { permalink: event.message.permalink } : {}), source: event.message.source });
      }
    }
  }

  function errorOutcome(event: InboundEvent, t: Translate, error: unknown, name: string): { outcome: Outcome; label: OutcomeLabel } {
    let text: string;
    let label: OutcomeLabel;
    let usage: { usage: string[]; examples: string[] } = { usage: [], examples: [] };
    if (error instanceof AppError) {
      label = outcomeLabel(error);
      text = isMessageKey(error.userKey) ? t(error.userKey, error.params) : t("error.internal");
      if (error.code === "INVALID_INPUT" && event.type === "command") {
        // The usage and examples of what was typed: "/crm customer add" is /customer add.
        const viaCrm = event.command.replace(/^\//, "").toLowerCase() === "crm";
        const words = event.text.trim().split(/\s+/);
        // "crm customer add" written out in a direct message is /crm customer add.
        if (viaCrm && /^\/?crm$/i.test(words[0] ?? "")) words.shift();
        const [first = "help", ...after] = words;
        usage = viaCrm ? usageFor(first, after.join(" ")) : usageFor(event.command, event.text);
      }
    } else if (error instanceof z.ZodError || error instanceof SyntaxError) {
      // A button or form came back with a value we never made (or from an older version).
      label = "invalid";
      text = t("error.expired");
    } else if (isUnavailable(error)) {
      label = "unavailable";
      text = t("error.unavailable");
      observer?.failed(name, error);
    } else {
      label = "error";
      text = t("error.internal");
      observer?.failed(name, error);
    }
    const blocks: Block[] = [{ type: "text", text }];
    if (usage.usage.length > 0) blocks.push({ type: "examples", label: t("usage.label"), examples: usage.usage });
    if (usage.examples.length > 0) blocks.push({ type: "examples", label: t("examples.label"), examples: usage.examples });
    const message: Message = { visibility: "private", summary: text, blocks, isError: true };
    if (event.type === "form" && label === "invalid") {
      return { outcome: { kind: "form-errors", errors: { _form: text } }, label };
    }
    return { outcome: { kind: "message", message }, label };
  }

  const localeOf = (actor: Pick<Actor, "locale">, stored?: string | null): Locale =>
    resolveLocale(actor.locale ?? stored, options.defaultLocale);

  function contextFor(rep: Rep, actor: Partial<Pick<Actor, "locale" | "timezone" | "platform">>): CommandContext {
    const locale = localeOf(actor, rep.locale);
    const timezone = [actor.timezone, rep.timezone ?? undefined].find(isTimeZone) ?? options.defaultTimezone;
    return {
      rep, platform: actor.platform ?? rep.platform, locale, timezone, now: services.now(), t: translator(locale), f: createFormatter(locale, timezone), services,
    };
  }

  return {
    translatorFor: (actor) => translator(localeOf(actor)),

    async ingest(message) {
      const started = process.hrtime.bigint();
      try {
        const stored = await services.acceptCustomerMessage({ ...message });
        observer?.handled(`ingest:${message.platform}`, "ok", Number(process.hrtime.bigint() - started) / 1e9);
        return stored;
      } catch (error) {
        observer?.handled(`ingest:${message.platform}`, isUnavailable(error) ? "unavailable" : "error", Number(process.hrtime.bigint() - started) / 1e9);
        throw error;
      }
    },

    async renderNotification(raw) {
      const payload = notificationPayload.parse(raw);
      const loaded = await loadNotification({ services }, payload);
      // Nothing to say any more: no retry can fix that, the outbox records it as failed.
      const gone = new DeliveryError("permanent", "what this message was about, or its recipient, no longer exists");
      if (!loaded) throw gone;
      if ("recipientId" in loaded && loaded.recipientId) {
        // A rep's own message: their language and time zone.
        const rep = await services.getRep(loaded.recipientId);
        if (!rep) throw gone;
        return renderNotification(contextFor(rep, {}), loaded);
      }
      // A customer reads their own language; channel messages (the WeChat inbox) the team's.
      const locale = "locale" in loaded ? resolveLocale(loaded.locale, options.defaultLocale) : options.defaultLocale;
      // A channel's digest is written for the zone it was subscribed in.
      const timezone = "timezone" in loaded && isTimeZone(loaded.timezone) ? loaded.timezone : options.defaultTimezone;
      return renderNotification({ t: translator(locale), f: createFormatter(locale, timezone), now: services.now() }, loaded);
    },

    async handle(event) {
      const started = process.hrtime.bigint();
      const name = eventName(event);
      let t = translator(localeOf(event.actor));
      let label: OutcomeLabel = "ok";
      let outcome: Outcome;
      try {
        // Most thread messages the bot sees are not in a WeChat conversation: skip them unnoticed.
        const inboxThreadId = event.type === "thread-message" ? await services.findInboxThread(event.thread.channel, event.thread.ts) : null;
        if (event.type === "thread-message" && !inboxThreadId) return { kind: "none" };
        // Customers' buttons (a Slack Connect survey): answered without making them a rep.
        const customerAction = event.type === "action" ? CUSTOMER_ACTIONS[event.action.id] : undefined;
        if (customerAction && event.type === "action") {
          const locale = localeOf(event.actor);
          const ctx = { t: translator(locale), f: createFormatter(locale, options.defaultTimezone), now: services.now(), services };
          outcome = await customerAction(ctx, event.actor, event.action.value);
          observer?.handled(name, "ok", Number(process.hrtime.bigint() - started) / 1e9);
          return outcome;
        }
        const rep = await services.registerRep({
          platform: event.actor.platform,
          externalId: event.actor.externalId,
          teamId: event.actor.teamId,
          displayName: event.actor.displayName,
          locale: event.actor.locale,
          timezone: event.actor.timezone,
        });
        const ctx = contextFor(rep, event.actor);
        if ((event.type === "command" || event.type === "action" || event.type === "file") && event.channel) ctx.channel = event.channel;
        if (event.type === "action" && event.channel && event.messageTs) ctx.message = { channel: event.channel, ts: event.messageTs };
        t = ctx.t;
        outcome = await route(event, ctx, inboxThreadId ?? undefined);
        if (outcome.kind === "message" && outcome.message.isError) label = "invalid";
      } catch (error) {
        ({ outcome, label } = errorOutcome(event, t, error, name));
      }
      observer?.handled(name, label, Number(process.hrtime.bigint() - started) / 1e9);
      return outcome;
    },
  };
}

export type { MessageKey };
