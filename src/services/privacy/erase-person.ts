import { AppError } from "../../domain/errors.js";
import type { ErasurePreview, ErasureResult, ErasureTarget, Rep } from "../../store/index.js";
import { customerNamesChanged } from "../customers/find-named-customers.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";

/** A reason is the admin's own words for the audit log: short, and never empty. */
export const REASON_LENGTH = { min: 3, max: 300 } as const;

/**
 * An erasure sweeps the audit log and the customer's texts in one transaction: more than the
 * 5 s an ordinary one gets on a large install.
 */
const ERASURE_TIMEOUT_MS = 120_000;

function adminOnly(rep: Rep): void {
  if (rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "erase.adminOnly");
}

/** What erasing the target would take, for the confirmation; admins only. */
export async function previewErasure(deps: ServiceDeps, rep: Rep, target: ErasureTarget): Promise<ErasurePreview> {
  adminOnly(rep);
  const preview = await deps.store.contactErasure.preview(target);
  if (!preview) throw new AppError("NOT_FOUND", "erase.gone");
  return preview;
}

export type ErasureOutcome =
  | { kind: "erased"; target: ErasureTarget; customer: { id: string; name: string }; result: ErasureResult }
  /** Erased before (a second submission, or someone else was quicker): nothing was done. */
  | { kind: "already"; preview: ErasurePreview };

/**
 * Erases a contact's or a whole customer's personal data on request, in one transaction with its
 * audit row ("person.erase" or "customer.erase", with the admin's reason); then tells the inbox
 * threads and refreshes the name dictionary, so the old name no longer finds anyone. `label`
 * names an erased customer ("Erased customer 3f2a"), from a tail of its id.
 */
export async function erasePerson(deps: ServiceDeps, rep: Rep, input: { target: ErasureTarget; reason: string; label: (tail: string) => string }): Promise<ErasureOutcome> {
  adminOnly(rep);
  const reason = input.reason.trim();
  if (reason.length < REASON_LENGTH.min || reason.length > REASON_LENGTH.max) throw new AppError("INVALID_INPUT", "erase.reason.length", { ...REASON_LENGTH });
  const at = deps.now();
  const { target } = input;
  const result = await deps.store.transaction(
    (tx) =>
      target.kind === "contact"
        ? tx.contactErasure.eraseContact({ contactId: target.id, actorId: rep.id, reason, at, action: "person.erase", tellInbox: true, thorough: true })
        : tx.contactErasure.eraseCustomer({ customerId: target.id, actorId: rep.id, reason, at, label: input.label }),
    { timeout: ERASURE_TIMEOUT_MS },
  );
  if (!result) {
    const preview = await deps.store.contactErasure.preview(target);
    if (!preview) throw new AppError("NOT_FOUND", "erase.gone");
    return { kind: "already", preview };
  }
  // A renamed customer (erased, or a lead that was only this person) no longer answers to its old names.
  customerNamesChanged(deps);
  await scheduleAfterCommit(deps, deliveriesNow(deps, result.noticeIds));
  const after = await deps.store.contactErasure.preview(target);
  return { kind: "erased", target, customer: after?.customer ?? { id: "", name: "" }, result };
}
