-- cdc-camel: never break writes to a captured table. A publication FOR TABLES IN SCHEMA publishes
-- the UPDATEs and DELETEs of every table in it, and PostgreSQL then rejects them on a table that has
-- neither a primary key nor a replica identity ("cannot update table ... because it does not have a
-- replica identity and publishes updates"). Such a table gets REPLICA IDENTITY FULL: now, and
-- whenever one is created or loses its key later (an event trigger). The same file runs in
-- docker-compose (postgres-init) and in the embedded stack (ConnectorRole), at every start there.

-- tables published for updates or deletes whose replica identity is the default one without a key
CREATE OR REPLACE VIEW public.cdc_camel_keyless_tables AS
SELECT DISTINCT c.oid::regclass AS table_name
FROM pg_publication p
JOIN pg_publication_tables pt ON pt.pubname = p.pubname
JOIN pg_namespace n ON n.nspname = pt.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
WHERE (p.pubupdate OR p.pubdelete)
  AND c.relkind IN ('r', 'p')
  AND c.relreplident = 'd'
  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary);

CREATE OR REPLACE FUNCTION public.cdc_camel_fix_keyless_tables() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  keyless record;
  fixed integer := 0;
BEGIN
  FOR keyless IN SELECT table_name FROM public.cdc_camel_keyless_tables LOOP
    RAISE NOTICE 'cdc-camel: % has no primary key: REPLICA IDENTITY FULL, so that its UPDATEs and DELETEs keep working and carry the old row', keyless.table_name;
    EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', keyless.table_name);
    fixed := fixed + 1;
  END LOOP;
  RETURN fixed;
END $$;

CREATE OR REPLACE FUNCTION public.cdc_camel_replica_identity_full() RETURNS event_trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM public.cdc_camel_fix_keyless_tables();
END $$;

DROP EVENT TRIGGER IF EXISTS cdc_camel_replica_identity_full;
CREATE EVENT TRIGGER cdc_camel_replica_identity_full ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE', 'ALTER PUBLICATION', 'CREATE PUBLICATION')
  EXECUTE FUNCTION public.cdc_camel_replica_identity_full();

-- the tables there already
SELECT public.cdc_camel_fix_keyless_tables();
