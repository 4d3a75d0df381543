-- Row Level Security does not cover TRUNCATE, REFERENCES or TRIGGER (issue 12):
-- with Supabase's default grants (ALL on every table of an exposed schema to
-- `anon` and `authenticated`), anyone holding the public API key could empty
-- the ledger or the approvals. The package talks to the database server side
-- only (the service role, or the owner over a direct connection), so `anon`,
-- `authenticated` and PUBLIC hold no privilege at all on its tables:
--   1. every table and sequence of this schema that exists now (including
--      schema_migrations, created by the runner before the migrations), and
--   2. through default privileges of the role that runs the migrations, every
--      table and sequence it creates in this schema later (the grants Supabase
--      sets with ALTER DEFAULT PRIVILEGES ... IN SCHEMA are removed here).
-- A global default grant (ALTER DEFAULT PRIVILEGES without IN SCHEMA) cannot
-- be cancelled per schema; Supabase does not use one.
--
-- Runs on PostgreSQL, PGlite and Supabase: the roles are revoked from only
-- where they exist (plain PostgreSQL and PGlite have no anon/authenticated);
-- no schema prefix (the runner sets the search_path).
-- Checked by test/contract/store-grants.test.ts (every table, as each role).

DO $$
DECLARE
	target text := current_schema();
	grantee text;
BEGIN
	FOREACH grantee IN ARRAY ARRAY['anon', 'authenticated', 'public'] LOOP
		IF grantee = 'public' OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grantee) THEN
			-- PUBLIC is a keyword, not a role name: it must not be quoted
			IF grantee = 'public' THEN
				grantee := 'PUBLIC';
			ELSE
				grantee := quote_ident(grantee);
			END IF;
			EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %s', target, grantee);
			EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %s', target, grantee);
			EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM %s', target, grantee);
			EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM %s', target, grantee);
		END IF;
	END LOOP;
END $$;
