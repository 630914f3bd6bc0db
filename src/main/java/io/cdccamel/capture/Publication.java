package io.cdccamel.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The publication Debezium streams from, kept equal to what the connector file captures: whole
 * schemas where only schemas are named (PostgreSQL 15+ then publishes a table created there later
 * from its first row), the captured tables one by one otherwise, plus the signal table; always with
 * {@code publish_via_partition_root}, so a partitioned table's changes stream as its own, and
 * every operation published (a publication someone else made with fewer is set to all four).
 */
final class Publication {

    /** What the publication held and holds: tables as quoted SQL names, and schemas. */
    record Change(Set<String> tablesBefore, Set<String> tablesAfter, Set<String> schemasBefore, Set<String> schemasAfter,
                  boolean existed, boolean allTables, List<String> statements) {

        boolean changed() {
            return !statements.isEmpty();
        }
    }

    /** A table's name quoted as {@link SourceTables.Table#sql()} quotes it, so that the catalog's and ours compare. */
    private static final String QUOTED = "'\"' || replace(n.nspname, '\"', '\"\"') || '\".\"' || replace(t.relname, '\"', '\"\"') || '\"'";

    private Publication() {
    }

    /**
     * The statements that bring {@code name} to the scope (none when it is there already). A
     * publication {@code FOR ALL TABLES} is left as it is: it publishes every table anyway.
     */
    static Change plan(Connection c, String name, CaptureScope scope, SourceTables tables, List<String> appTables)
            throws SQLException {
        int major = c.getMetaData().getDatabaseMajorVersion();
        boolean existed;
        boolean allTables = false;
        boolean viaRoot = false;
        boolean everyOperation = true;
        try (PreparedStatement s = c.prepareStatement("SELECT puballtables, pubviaroot, "
                + "pubinsert AND pubupdate AND pubdelete AND pubtruncate FROM pg_publication WHERE pubname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                existed = rs.next();
                if (existed) {
                    allTables = rs.getBoolean(1);
                    viaRoot = rs.getBoolean(2);
                    everyOperation = rs.getBoolean(3);
                }
            }
        }
        Set<String> tablesBefore = new TreeSet<>();
        Set<String> schemasBefore = new TreeSet<>();
        if (existed && !allTables) {
            try (PreparedStatement s = c.prepareStatement("SELECT " + QUOTED + " FROM pg_publication p "
                    + "JOIN pg_publication_rel r ON r.prpubid = p.oid JOIN pg_class t ON t.oid = r.prrelid "
                    + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE p.pubname = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        tablesBefore.add(rs.getString(1));
                    }
                }
            }
            if (major >= 15) {
                try (PreparedStatement s = c.prepareStatement("SELECT n.nspname FROM pg_publication p "
                        + "JOIN pg_publication_namespace pn ON pn.pnpubid = p.oid JOIN pg_namespace n ON n.oid = pn.pnnspid "
                        + "WHERE p.pubname = ?")) {
                    s.setString(1, name);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            schemasBefore.add(rs.getString(1));
                        }
                    }
                }
            }
        }
        Set<String> tablesAfter = new TreeSet<>();
        Set<String> schemasAfter = new TreeSet<>();
        boolean bySchema = scope.bySchemaOnly() && major >= 15;
        if (bySchema) {
            schemasAfter.addAll(tables.capturedSchemas(scope));
        } else {
            tables.captured(scope).forEach(t -> tablesAfter.add(t.sql()));
        }
        tablesAfter.addAll(appTables);

        List<String> statements = new ArrayList<>();
        // a publication made by someone else with publish = 'insert' (say): updates and deletes would never stream
        if (!everyOperation) {
            statements.add("ALTER PUBLICATION " + SourceTables.quote(name) + " SET (publish = 'insert, update, delete, truncate')");
        }
        if (allTables) {
            return new Change(tablesBefore, tablesAfter, schemasBefore, schemasAfter, true, true, statements);
        }
        List<String> objects = new ArrayList<>();
        if (!schemasAfter.isEmpty()) {
            objects.add("TABLES IN SCHEMA " + String.join(", ", schemasAfter.stream().map(SourceTables::quote).toList()));
        }
        objects.add("TABLE " + String.join(", ", tablesAfter));
        String list = String.join(", ", objects);
        if (!existed) {
            statements.add("CREATE PUBLICATION " + SourceTables.quote(name) + " FOR " + list
                    + " WITH (publish_via_partition_root = true)");
        } else {
            if (!tablesBefore.equals(tablesAfter) || !schemasBefore.equals(schemasAfter)) {
                statements.add("ALTER PUBLICATION " + SourceTables.quote(name) + " SET " + list);
            }
            if (!viaRoot) {
                statements.add("ALTER PUBLICATION " + SourceTables.quote(name) + " SET (publish_via_partition_root = true)");
            }
        }
        return new Change(tablesBefore, tablesAfter, schemasBefore, schemasAfter, existed, false, statements);
    }
}
