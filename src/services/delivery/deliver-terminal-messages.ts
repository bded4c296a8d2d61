import { TERMINAL_PLATFORM } from "../../domain/terminal-platform.js";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { deliverOutbox, type DeliveryOutcome } from "./deliver-outbox.js";
import { fireReminder } from "../reminders/fire-reminder.js";
import type { Deliverer, RateLimiter } from "../ports.js";

/** Enough for one round; the next round a few seconds later takes the rest. */
const ROUND = 50;

/** The terminal has no rate limit. */
const NO_LIMIT: RateLimiter = { reserve: async () => 0, pause: async () => undefined };

/**
 * One round of the demo's own clock for the rep at its terminal (there are no BullMQ workers in
 * the demo): fires the rep's reminders that are due, then shows every message waiting in the
 * outbox for them at the terminal (also ones a bot queued while no demo ran), through the same
 * delivery as the workers', so each ends SENT once. Other people's reminders and messages, and
 * the rep's messages to other platforms, are left for the bot. Returns how many were shown.
 */
export async function deliverTerminalMessages(deps: ServiceDeps, rep: Pick<Rep, "id" | "platform" | "externalId">, terminal: Omit<Deliverer, "terminal">): Promise<number> {
  if (rep.platform !== TERMINAL_PLATFORM) return 0;
  const now = deps.now();
  for (const reminder of await deps.store.reminders.pendingDueFor(rep.id, now, ROUND)) await fireReminder(deps, reminder.id);
  const io = { deliverer: { ...terminal, terminal: true }, rateLimiter: NO_LIMIT };
  let shown = 0;
  for (const message of await deps.store.outbox.pendingForTerminal(rep.externalId, deps.now(), ROUND)) {
    const outcome: DeliveryOutcome = await deliverOutbox(deps, io, message.id);
    if (outcome === "sent") shown++;
  }
  return shown;
}
