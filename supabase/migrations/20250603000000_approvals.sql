-- Approval loop: what a proposal card shows, and what decision integrity needs.
--
-- Runs unchanged on PostgreSQL 15+, PGlite and Supabase; no schema prefix
-- (the migration runner places objects via search_path).

-- What the approver sees on the Notion card, kept in the store so a card can be
-- re-created and checked against what was queued.
ALTER TABLE approvals
	ADD COLUMN title text,
	ADD COLUMN platform text,
	ADD COLUMN account_id text,
	ADD COLUMN entity text,
	ADD COLUMN proposed_change text,
	ADD COLUMN impact text,
	ADD COLUMN requested_at timestamptz NOT NULL DEFAULT now(),
	-- sha256 (hex) of the card's human-visible content as queued; a card whose
	-- content hashes differently at decision time was edited after queueing.
	ADD COLUMN card_hash text CHECK (card_hash ~ '^[0-9a-f]{64}$'),
	-- Why a decision was refused (approver_not_allowed, edited_after_queue, …);
	-- NULL when nothing was flagged.
	ADD COLUMN flag text,
	ADD COLUMN flagged_at timestamptz,
	-- How many decisions were refused for this proposal.
	ADD COLUMN refusals integer NOT NULL DEFAULT 0 CHECK (refusals >= 0);

ALTER TABLE approvals ADD CONSTRAINT approvals_payload_hash_format CHECK (payload_hash ~ '^[0-9a-f]{64}$') NOT VALID;
ALTER TABLE approvals ADD CONSTRAINT approvals_expiry_after_request CHECK (expires_at IS NULL OR expires_at > requested_at);
