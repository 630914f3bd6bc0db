package io.cdccamel.search;

import io.cdccamel.settings.PostgresSettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Key columns from PostgreSQL's catalog: the primary key's, or else the replica identity index's
 * (Debezium's key for a table without a primary key but {@code REPLICA IDENTITY USING INDEX}); none for
 * a table that has neither, or that no longer exists. Asked once per table: the index keeps the answer.
 */
public final class PgKeyColumns implements KeyColumns {

    private static final String QUERY = """
            SELECT a.attname
              FROM pg_index i
              JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) ON true
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE i.indrelid = to_regclass(?)
               AND i.indexrelid = (SELECT x.indexrelid FROM pg_index x WHERE x.indrelid = i.indrelid
                                     AND (x.indisprimary OR x.indisreplident) ORDER BY x.indisprimary DESC LIMIT 1)
             ORDER BY k.n""";

    private final String url;
    private final String user;
    private final String password;

    public PgKeyColumns(PostgresSettings postgres) {
        this.url = postgres.jdbcUrl();
        this.user = postgres.user();
        this.password = postgres.password();
    }

    @Override
    public List<String> of(String table) throws Exception {
        int dot = table.indexOf('.');
        if (dot < 0) {
            return List.of();
        }
        String relation = quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1));
        List<String> columns = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password); PreparedStatement s = c.prepareStatement(QUERY)) {
            s.setString(1, relation);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
