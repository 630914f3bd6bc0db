package io.cdccamel.connect;

import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * External mode, where the app does not own the database: {@code source-tables} in
 * {@code /observe/health} is DOWN while a captured table has no primary key and no replica
 * identity (PostgreSQL rejects its UPDATE and DELETE), naming each with its one-line fix.
 */
public class KeylessTablesHealthCheck extends ReadinessCheck {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.source-tables");

    private final String jdbcUrl;
    private final String user;
    private final String password;

    public KeylessTablesHealthCheck(String jdbcUrl, String user, String password) {
        super("source-tables");
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** The WARN at start: one line per table, with its fix. */
    public void warnAtStart() {
        try {
            for (String table : KeylessTables.find(jdbcUrl, user, password)) {
                LOG.warn("Table {} is published but has no primary key and no replica identity: PostgreSQL rejects its"
                        + " UPDATE and DELETE. Fix: {}", table, KeylessTables.fixFor(table));
            }
        } catch (Exception e) {
            LOG.info("Could not check the captured tables' replica identity at {}: {}", jdbcUrl, e.getMessage());
        }
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            List<String> tables = KeylessTables.find(jdbcUrl, user, password);
            if (tables.isEmpty()) {
                builder.up();
                return;
            }
            builder.detail("tables", String.join(",", tables));
            builder.message("PostgreSQL rejects UPDATE and DELETE on " + tables + ": "
                    + tables.stream().map(KeylessTables::fixFor).collect(Collectors.joining(" ")));
            builder.down();
        } catch (Exception e) {
            builder.message("Cannot check the captured tables at " + jdbcUrl + ": " + e.getMessage());
            builder.unknown();
        }
    }
}
