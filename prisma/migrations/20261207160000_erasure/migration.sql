-- Erasure on request (issue 15). A customer whose personal data an admin erased keeps its row,
-- its orders and its figures under a neutral label, and says when it was erased, so a second
-- request finds nothing left to do and the export of a person says so.
ALTER TABLE "customers" ADD COLUMN "erased_at" TIMESTAMPTZ(3);
