import type { Channel } from "../../domain/interaction-channel.js";
import type { CustomerSummary, Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { refreshSegments } from "../analytics/score-segments.js";

export interface InteractionInput {
  customer: CustomerSummary;
  channel: Channel;
  body: string;
  permalink?: string | null;
  /** The platform event it came from, so a retried delivery is not recorded twice. */
  source?: { platform: string; id: string } | null;
  occurredAt?: Date;
}

export interface RecordedInteraction {
  id: string;
  created: boolean;
  /** Set when logging moved the customer on (a lead that was talked to is a prospect). */
  stageChange?: { from: string; to: string };
}

/** Logs what a rep did with a customer; a lead that gets attention becomes a prospect. */
export async function recordInteraction(deps: ServiceDeps, rep: Rep, input: InteractionInput): Promise<RecordedInteraction> {
  return deps.store.transaction(async (tx) => {
    const result = await tx.interactions.record({
      customerId: input.customer.id,
      authorId: rep.id,
      channel: input.channel,
      direction: "INTERNAL",
      body: input.body,
      permalink: input.permalink ?? null,
      source: input.source ?? null,
      occurredAt: input.occurredAt ?? deps.now(),
    });
    if (!result.created) return result;
    await tx.audit.write({ actorId: rep.id, action: "interaction.create", entityId: result.id, customerIds: [input.customer.id], detail: { customerId: input.customer.id, channel: input.channel } });
    const promoted = await tx.customers.setStage(input.customer.id, ["LEAD"], "PROSPECT");
    // Talking to someone who never bought may make them potential: their segment follows now.
    await refreshSegments(tx, deps, [input.customer.id]);
    return promoted ? { ...result, stageChange: { from: "LEAD", to: "PROSPECT" } } : result;
  });
}
