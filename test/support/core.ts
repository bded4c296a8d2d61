import { createCore, type Actor, type Core, type Outcome } from "../../src/core/index.js";
import { ratesToBase } from "../../src/domain/money.js";
import { createServices, type ServiceDeps, type Services } from "../../src/services/index.js";
import type { DigestSchedule, JobScheduler, ScheduleItem } from "../../src/services/ports.js";
import type { Store } from "../../src/store/index.js";

export interface TestCore {
  core: Core;
  services: Services;
  /** Moves the clock the services see. */
  setNow(at: Date): void;
}

export function testSettings(overrides: Partial<Services["settings"]> = {}): Services["settings"] {
  const base = overrides.baseCurrency ?? "CNY";
  const rates = new Map([...ratesToBase(base, {})].map(([code, rate]) => [code, rate.toString()]));
  return { baseCurrency: base, ratesToBase: rates, clvLifespanMonths: 36, clvMinObservationMonths: 3, timeZone: "Asia/Shanghai", adminUserIds: [], wechatEraseOnUnsubscribe: true, defaultLocale: "en", surveyAfterIdleMs: 2 * 3_600_000, surveyCooldownDays: 30, wechatSurveyTemplate: false, ...overrides };
}

/** A job scheduler that only remembers what it was asked, for tests without BullMQ. */
export function recordingScheduler(): JobScheduler & { reminders: { id: string; at: Date }[]; deliveries: { id: string; at: Date }[]; surveys: ScheduleItem[]; digests: Map<string, DigestSchedule> } {
  const reminders: { id: string; at: Date }[] = [];
  const deliveries: { id: string; at: Date }[] = [];
  const surveys: ScheduleItem[] = [];
  const digests = new Map<string, DigestSchedule>();
  return {
    reminders,
    deliveries,
    surveys,
    digests,
    scheduleDigest: async (subscription) => void digests.set(subscription.id, subscription),
    cancelDigest: async (id) => void digests.delete(id),
    keepDigests: async (subscriptions) => {
      digests.clear();
      for (const s of subscriptions) digests.set(s.id, s);
    },
    scheduleReminder: async (id, at) => void reminders.push({ id, at }),
    scheduleDelivery: async (id, at) => void deliveries.push({ id, at }),
    scheduleMany: async (items) => {
      for (const i of items) {
        if (i.kind === "survey" || i.kind === "survey-check") surveys.push(i);
        else (i.kind === "reminder" ? reminders : deliveries).push({ id: i.id, at: i.at });
      }
    },
  };
}

export function testServiceDeps(store: Store, overrides: Partial<Omit<ServiceDeps, "settings">> & { settings?: Partial<Services["settings"]> } = {}): ServiceDeps {
  const { settings, ...rest } = overrides;
  return { store, settings: testSettings(settings), jobs: recordingScheduler(), now: () => new Date(), ...rest };
}

export function createTestCore(store: Store, options: { now?: Date; settings?: Partial<Services["settings"]> } = {}): TestCore {
  let now = options.now ?? new Date("2026-11-20T04:00:00Z");
  const services = createServices(testServiceDeps(store, { ...(options.settings ? { settings: options.settings } : {}), now: () => now }));
  const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  return { core, services, setNow: (at) => (now = at) };
}

export function actor(id: string, extra: Partial<Actor> = {}): Actor {
  return { platform: "slack", externalId: id, teamId: "T0001", displayName: `Rep ${id}`, timezone: "Asia/Shanghai", locale: "en-US", ...extra };
}

/** All the text a person would read in an outcome, for assertions. */
export function textOf(outcome: Outcome): string {
  if (outcome.kind === "form") return [outcome.form.title, ...outcome.form.fields.map((f) => `${f.label}: ${f.initial ?? ""}`)].join("\n");
  if (outcome.kind === "form-errors") return Object.values(outcome.errors).join("\n");
  if (outcome.kind === "none") return "";
  const parts: string[] = [];
  for (const b of outcome.message.blocks) {
    switch (b.type) {
      case "header": parts.push(b.text); break;
      case "text": parts.push(b.title ? `${b.title}\n${b.text}` : b.text); break;
      case "fields": parts.push(...b.fields.map((f) => `${f.label}: ${f.value}`)); break;
      case "list": if (b.title) parts.push(b.title); parts.push(...(b.items.length ? b.items.map((i) => `${i.title}${i.detail ? ` — ${i.detail}` : ""}`) : [b.empty ?? ""])); break;
      case "context": parts.push(b.text); break;
      case "examples": parts.push(`${b.label} ${b.examples.join(" | ")}`); break;
      case "link": parts.push(`${b.label} ${b.url}`); break;
      case "buttons": parts.push(b.buttons.map((x) => `[${x.label}]`).join(" ")); break;
      case "divider": break;
    }
  }
  return parts.join("\n");
}
