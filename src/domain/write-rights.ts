/**
 * Who may change a record, defined once for every write path (edit, correct, delete, merge,
 * link, assign). A rep changes what is theirs: customers they own or that nobody owns yet, and
 * entries they wrote; managers and admins may change anything. Reads follow maySeePrivate.
 */
export interface Writer {
  id: string;
  role: "ADMIN" | "MANAGER" | "REP";
}

export interface Owned {
  /** The owner of the customer the record belongs to (null: nobody's yet). */
  ownerId: string | null;
  /** Who wrote the entry (an order, a note), when it is one. */
  authorId?: string | null;
}

export function mayChange(writer: Writer, record: Owned): boolean {
  if (writer.role !== "REP") return true;
  if (record.ownerId === null || record.ownerId === writer.id) return true;
  return record.authorId != null && record.authorId === writer.id;
}
