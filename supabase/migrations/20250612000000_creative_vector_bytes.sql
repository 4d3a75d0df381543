-- Compact stored vectors for the novelty check (issue 21, item 4).
--
-- The first creative run of a process reads every past variant of the account
-- with its vector. As `real[]` a vector travels as text (JSON), one number per
-- component, zeros included: about 1 KB per row for the offline embedder's
-- sparse vectors, 6 KB for OpenAI's dense ones, and 100,000 rows took 15–20 s
-- on PGlite. `embedding_f32` holds the same float32 values, bit for bit, as
-- bytes; nodes/shared/novelty/packed.ts reads them. Layout (big-endian, as
-- PostgreSQL's float4send/int4send/int2send write it):
--   byte 0      format: 1 = dense, 2 = sparse
--   bytes 1–4   the number of components (int4)
--   dense       every component, float4 (4 bytes each)
--   sparse      every component whose bits are not all zero (−0 is kept),
--               ascending: its 0-based position (int2) and value (float4)
-- Sparse is chosen when it is smaller (6 × stored < 4 × components) and the
-- vector has at most 32,767 components.
--
-- The column is derived: the trigger below sets it from `embedding` on every
-- insert and on every update that touches either column, whoever writes
-- (the store, the bench's raw SQL, Supabase's REST API). Rows written before
-- this migration keep NULL until a run reads them: the run layer
-- (nodes/shared/creative/novelty-cache.ts) then reads their `real[]` once and
-- fills the column with a no-op update of the row, which the trigger turns
-- into the packed bytes without moving `updated_at` (the row's content did
-- not change). No table rewrite here, so the migration is instant however
-- many rows exist.
--
-- Runs on PostgreSQL 15+, PGlite and Supabase; no schema prefix (the runner
-- sets the search_path). The function only calls pg_catalog.

ALTER TABLE creative_variants ADD COLUMN embedding_f32 bytea;

CREATE FUNCTION adops_creative_variants_vector_bytes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $fn$
DECLARE
	backfill boolean := false;
	n integer;
	nz integer;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF NEW.embedding IS NOT DISTINCT FROM OLD.embedding AND OLD.embedding_f32 IS NOT NULL AND NEW.embedding_f32 IS NOT DISTINCT FROM OLD.embedding_f32 THEN
			RETURN NEW; -- the vector is untouched
		END IF;
		IF NEW.embedding IS NULL AND OLD.embedding IS NULL THEN
			NEW.embedding_f32 := NULL;
			RETURN NEW; -- still no vector
		END IF;
		backfill := OLD.embedding_f32 IS NULL AND NEW.embedding IS NOT DISTINCT FROM OLD.embedding;
	END IF;
	IF NEW.embedding IS NULL OR array_ndims(NEW.embedding) IS DISTINCT FROM 1 OR array_position(NEW.embedding, NULL) IS NOT NULL THEN
		-- no vector, or one the reader could not take as it is: it reads `embedding`
		NEW.embedding_f32 := NULL;
	ELSE
		n := cardinality(NEW.embedding);
		SELECT count(*) INTO nz FROM unnest(NEW.embedding) AS u(x) WHERE float4send(u.x) <> '\x00000000'::bytea;
		IF n <= 32767 AND 6 * nz < 4 * n THEN
			NEW.embedding_f32 := '\x02'::bytea || int4send(n) || coalesce((
				SELECT string_agg(int2send((u.i - 1)::int2) || float4send(u.x), ''::bytea ORDER BY u.i)
				FROM unnest(NEW.embedding) WITH ORDINALITY AS u(x, i) WHERE float4send(u.x) <> '\x00000000'::bytea
			), ''::bytea);
		ELSE
			NEW.embedding_f32 := '\x01'::bytea || int4send(n) || coalesce((
				SELECT string_agg(float4send(u.x), ''::bytea ORDER BY u.i) FROM unnest(NEW.embedding) WITH ORDINALITY AS u(x, i)
			), ''::bytea);
		END IF;
	END IF;
	-- A backfill (the row's only change is this derived column) keeps its
	-- updated_at: what a reader compares has not changed.
	IF backfill AND (to_jsonb(NEW) - 'updated_at' - 'embedding_f32') = (to_jsonb(OLD) - 'updated_at' - 'embedding_f32') THEN
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END;
$fn$;

-- Named to fire after trg_creative_variants_updated_at (BEFORE triggers run in
-- name order), so a backfill can put back the updated_at it just set.
CREATE TRIGGER trg_creative_variants_vector_bytes BEFORE INSERT OR UPDATE ON creative_variants FOR EACH ROW EXECUTE FUNCTION adops_creative_variants_vector_bytes();
