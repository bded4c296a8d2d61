import { AppError } from "../../domain/errors.js";
import type { PersonRecord, Rep } from "../../store/index.js";
import { maySeePrivate } from "../audience.js";
import type { ServiceDeps } from "../deps.js";

/**
 * Everything held about one person (a data subject access request), for an admin or a manager
 * who may see the person's customer's private details (maySeePrivate); reps are refused even
 * for their own customers: such requests are answered by those who answer for the data. The
 * read is audited ("person.export").
 */
export async function exportPerson(deps: ServiceDeps, viewer: Rep, contactId: string): Promise<PersonRecord> {
  const record = await deps.store.personRecords.read(contactId);
  if (!record) throw new AppError("NOT_FOUND", "exportPerson.gone");
  const ownerId = (await deps.store.customers.getSummary(record.customer.id))?.ownerId ?? null;
  if (viewer.role === "REP" || !maySeePrivate(viewer, ownerId)) {
    throw new AppError("FORBIDDEN", "exportPerson.forbidden", { customer: record.customer.name });
  }
  await deps.store.audit.write({
    actorId: viewer.id, action: "person.export", entity: "contact", entityId: contactId, customerIds: [record.customer.id],
    detail: { interactions: record.interactions.length, surveys: record.surveys.length, outbox: record.outbox.length, audit: record.audit.length },
  });
  return record;
}
