package io.cdccamel.capture;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The source database's tables as the capture needs them, read from PostgreSQL's catalog in one
 * query: ordinary and partitioned tables, whether each is a partition and of which root, its
 * replica identity, whether it has a primary key, and its generated columns.
 */
public record SourceTables(List<Table> all, Set<String> schemas) {

    /**
     * A table. {@code root} is the top of its partition tree ({@code schema.table}), or null when
     * it is no partition; {@code replicaIdentity} is {@code pg_class.relreplident} (d, n, f, i);
     * {@code generated} the names of its generated columns ({@code pg_attribute.attgenerated}: stored,
     * and virtual on PostgreSQL 18), in column order.
     */
    public record Table(String schema, String name, boolean partitioned, String root, char replicaIdentity,
                        boolean hasPrimaryKey, List<String> generated) {

        public Table {
            generated = List.copyOf(generated);
        }

        public String qualified() {
            return schema + "." + name;
        }

        /** The name as SQL takes it: each part quoted. */
        public String sql() {
            return quote(schema) + "." + quote(name);
        }
    }

    private static final String QUERY = """
            SELECT n.nspname, c.relname, c.relkind = 'p', c.relreplident,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
                   (SELECT rn.nspname || '.' || r.relname
                      FROM pg_partition_ancestors(c.oid) a(relid)
                      JOIN pg_class r ON r.oid = a.relid JOIN pg_namespace rn ON rn.oid = r.relnamespace
                     WHERE NOT r.relispartition) AS root,
                   ARRAY(SELECT a.attname::text FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''
                          ORDER BY a.attnum) AS generated
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
             ORDER BY 1, 2""";

    public static SourceTables read(Connection c) throws SQLException {
        List<Table> tables = new ArrayList<>();
        Set<String> schemas = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            while (rs.next()) {
                String root = rs.getString(6);
                String qualified = rs.getString(1) + "." + rs.getString(2);
                tables.add(new Table(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                        root == null || root.equals(qualified) ? null : root, rs.getString(4).charAt(0), rs.getBoolean(5),
                        List.of((String[]) rs.getArray(7).getArray())));
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace "
                + "WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'")) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        return new SourceTables(List.copyOf(tables), schemas);
    }

    /**
     * The tables the scope captures, as Debezium streams them: a partition whose root is captured
     * too is left out (its rows come through the root), every other match is in.
     */
    public List<Table> captured(CaptureScope scope) {
        Set<String> matched = new LinkedHashSet<>();
        for (Table t : all) {
            if (scope.captures(t.schema(), t.name())) {
                matched.add(t.qualified());
            }
        }
        return all.stream().filter(t -> matched.contains(t.qualified()))
                .filter(t -> t.root() == null || !matched.contains(t.root())).toList();
    }

    /** The partitions that {@link #captured} leaves out because their root is captured. */
    public List<String> partitionsOfCapturedRoots(CaptureScope scope) {
        Set<String> captured = new LinkedHashSet<>();
        captured(scope).forEach(t -> captured.add(t.qualified()));
        return all.stream().filter(t -> t.root() != null && captured.contains(t.root()))
                .filter(t -> scope.captures(t.schema(), t.name())).map(Table::qualified).toList();
    }

    /** Every table whose rows are written for a captured table: the table, or each partition of a captured root. */
    public List<Table> storage(CaptureScope scope) {
        Set<String> captured = new LinkedHashSet<>();
        captured(scope).forEach(t -> captured.add(t.qualified()));
        return all.stream().filter(t -> !t.partitioned())
                .filter(t -> captured.contains(t.qualified()) || (t.root() != null && captured.contains(t.root()))).toList();
    }

    /** The schemas whose tables the scope captures, when it names schemas only. */
    public List<String> capturedSchemas(CaptureScope scope) {
        return schemas.stream().filter(scope::capturesSchema).toList();
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
