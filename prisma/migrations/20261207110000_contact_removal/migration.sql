-- Contacts reps add, edit and remove (issue 13). A removed contact keeps its row, so the removal
-- can be undone and the history that names the person still reads. Every list leaves it out.
ALTER TABLE "contacts" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
