-- Which job attempt holds a SENDING row. A later attempt of the same job (BullMQ retries it
-- after the attempt broke, say Postgres restarted between claim and settle) may take the row
-- back at once, asking the platform first whether the message arrived. Rows held by anyone
-- else still wait for the stale-row release.
ALTER TABLE outbox ADD COLUMN claim_token text;
