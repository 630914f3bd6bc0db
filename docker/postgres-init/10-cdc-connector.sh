#!/bin/bash
# Least privilege for the connector (the same as the embedded stack's ConnectorRole): a role with
# LOGIN and REPLICATION, not a superuser, that may read schema "debezium", and the publication made
# ahead of time (debezium_connect.json sets publication.autocreate.mode=disabled). The app then keeps
# the publication and grants in line with the connector file's include lists (docs/capture.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="$CDC_CONNECTOR_PASSWORD" <<'SQL'
CREATE ROLE cdc_connector WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE SCHEMA IF NOT EXISTS debezium;
GRANT USAGE ON SCHEMA debezium TO cdc_connector;
GRANT SELECT ON ALL TABLES IN SCHEMA debezium TO cdc_connector;
ALTER DEFAULT PRIVILEGES IN SCHEMA debezium GRANT SELECT ON TABLES TO cdc_connector;
CREATE PUBLICATION dbz_publication FOR TABLES IN SCHEMA debezium WITH (publish_via_partition_root = true);
SQL
