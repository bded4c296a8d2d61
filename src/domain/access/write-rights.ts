import { inScope, type Person } from "./access-scope.js";

/**
 * Who may change a record, defined once for every write path (edit, correct, delete, merge,
 * link, assign), on the same scope as reading private details (access-scope.ts): an admin
 * changes anything; a manager what their team's members own, their own and unowned customers;
 * a rep their own and unowned customers. Anyone may change an entry they wrote themselves.
 */
export type Writer = Person;

export interface Owned {
  /** The owner of the customer the record belongs to (null: nobody's yet). */
  ownerId: string | null;
  /** Who wrote the entry (an order, a note), when it is one. */
  authorId?: string | null;
}

export function mayChange(writer: Writer, record: Owned): boolean {
  if (inScope(writer, record.ownerId)) return true;
  return record.authorId != null && record.authorId === writer.id;
}
