package io.cdccamel.capture;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.relational.TableId;
import io.debezium.schema.DataCollectionFilters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What the connector file captures, decided by Debezium's own filters ({@code schema.include.list},
 * {@code table.include.list} and their exclude forms, built by {@link PostgresConnectorConfig}), so
 * that the publication, the grants and the topics the app derives can never disagree with what
 * Debezium streams. No list at all captures every schema but PostgreSQL's own.
 */
public final class CaptureScope {

    public static final String SCHEMA_INCLUDE = "schema.include.list";
    public static final String SCHEMA_EXCLUDE = "schema.exclude.list";
    public static final String TABLE_INCLUDE = "table.include.list";
    public static final String TABLE_EXCLUDE = "table.exclude.list";
    /** The keys that say what is captured: the only place a user names tables. */
    public static final List<String> FILTER_KEYS = List.of(SCHEMA_INCLUDE, SCHEMA_EXCLUDE, TABLE_INCLUDE, TABLE_EXCLUDE);

    /** The app's own schema in the source database: the signal table of incremental snapshots. */
    public static final String APP_SCHEMA = "cdc_camel";

    /** Schemas that are PostgreSQL's own, never captured whatever the lists say. */
    private static final Pattern SYSTEM_SCHEMA = Pattern.compile("pg_catalog|information_schema|pg_toast.*|pg_temp.*");

    private final Map<String, String> config;
    private final DataCollectionFilters.DataCollectionFilter<TableId> filter;

    private CaptureScope(Map<String, String> config) {
        this.config = Map.copyOf(config);
        Map<String, String> forDebezium = new LinkedHashMap<>(config);
        // the filters need no more than these; placeholders keep Debezium's config from failing on what they do not use
        forDebezium.putIfAbsent("topic.prefix", "cdc");
        forDebezium.putIfAbsent("database.dbname", "postgres");
        forDebezium.remove("signal.data.collection"); // Debezium adds it to what it captures; not a user's table
        this.filter = new PostgresConnectorConfig(Configuration.from(forDebezium)).getTableFilters().dataCollectionFilter();
    }

    /** The scope of a connector config ({@code debezium_connect.json}'s "config" with this mode's overrides). */
    public static CaptureScope of(Map<String, String> connectorConfig) {
        return new CaptureScope(connectorConfig);
    }

    /** Whether Debezium captures {@code schema.table}. */
    public boolean captures(String schema, String table) {
        if (SYSTEM_SCHEMA.matcher(schema).matches() || APP_SCHEMA.equals(schema)) {
            return false;
        }
        return filter.isIncluded(new TableId(null, schema, table));
    }

    /**
     * True when only schemas are named (or nothing): the publication can then be made of whole
     * schemas, and PostgreSQL itself publishes a table created there later, from its first row.
     */
    public boolean bySchemaOnly() {
        return blank(TABLE_INCLUDE) && blank(TABLE_EXCLUDE);
    }

    /** Whether a schema's tables are captured, when the scope is {@link #bySchemaOnly()}. */
    public boolean capturesSchema(String schema) {
        if (SYSTEM_SCHEMA.matcher(schema).matches() || APP_SCHEMA.equals(schema)) {
            return false;
        }
        return matchesList(SCHEMA_INCLUDE, schema, true) && !matchesList(SCHEMA_EXCLUDE, schema, false);
    }

    private boolean matchesList(String key, String name, boolean whenBlank) {
        if (blank(key)) {
            return whenBlank;
        }
        for (String regex : config.get(key).split(",")) {
            if (!regex.isBlank() && Pattern.compile(regex.trim(), Pattern.CASE_INSENSITIVE).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    private boolean blank(String key) {
        String value = config.get(key);
        return value == null || value.isBlank();
    }

    public String topicPrefix() {
        String prefix = config.get("topic.prefix");
        return prefix == null || prefix.isBlank() ? "postgres" : prefix.trim();
    }

    /** Debezium's topic of a table: {@code <topic.prefix>.<schema>.<table>}. */
    public String topicOf(String schema, String table) {
        return topicPrefix() + "." + schema + "." + table;
    }

    /**
     * What the print route reads by default: every topic the connector writes change events to
     * (its tables', tables captured later too, and {@code <prefix>.message}). No {@code ?} in it:
     * it is the path of the print route's {@code kafka:} URI.
     */
    public String topicPattern() {
        return regexLiteral(topicPrefix()) + "\\..+";
    }

    /**
     * The connector settings the app adds: the partitions of captured partitioned tables are left
     * out ({@code table.exclude.list}, or each {@code table.include.list} pattern made to skip
     * them), so that Debezium snapshots such a table once, through its parent, to one topic named
     * after it; changes stream the same way ({@code publish.via.partition.root}).
     */
    public Map<String, String> partitionSettings(Collection<String> partitions) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("publish.via.partition.root", "true");
        if (partitions.isEmpty()) {
            return settings;
        }
        List<String> literals = new TreeSet<>(partitions).stream().map(CaptureScope::regexLiteral).toList();
        String names = String.join("|", literals);
        if (blank(TABLE_INCLUDE)) {
            String existing = blank(TABLE_EXCLUDE) ? "" : config.get(TABLE_EXCLUDE).trim() + ",";
            // joined apart: a name's own escaped '|' must not become a list separator
            settings.put(TABLE_EXCLUDE, existing + String.join(",", literals));
        } else {
            List<String> wrapped = new ArrayList<>();
            for (String regex : config.get(TABLE_INCLUDE).split(",")) {
                if (!regex.isBlank()) {
                    wrapped.add("(?!(?:" + names + ")$)(?:" + regex.trim() + ")");
                }
            }
            settings.put(TABLE_INCLUDE, String.join(",", wrapped));
        }
        return settings;
    }

    public static final String COLUMN_INCLUDE = "column.include.list";
    public static final String COLUMN_EXCLUDE = "column.exclude.list";
    /**
     * An entry of {@code column.exclude.list} that names no column (the app's own schema is never
     * captured): it keeps the list set when no captured table has a generated column, see
     * {@link #generatedColumnSettings}.
     */
    static final String NO_COLUMN = regexLiteral(APP_SCHEMA) + "\\.no_table\\.no_column";

    /**
     * The connector settings that leave generated columns out of every event, the same way in
     * snapshots and in the stream. PostgreSQL 13-17 never publish a generated column (pgoutput's
     * Relation and row messages lack it; 18 only with the publication's
     * {@code publish_generated_columns}, which the app's publication leaves at none, and never a
     * virtual one), so the stream cannot print it; Debezium's snapshots read the table's structure
     * over JDBC instead, which holds it. Debezium 3.6.1's incremental snapshot drops generated
     * columns from its table model on pgoutput ({@code PostgresSchema.refreshFromIncrementalSnapshot})
     * but reads chunks with {@code SELECT *} unless a column list is set
     * ({@code AbstractChunkQueryBuilder.buildProjection}): the result then holds a column the model
     * lacks, {@code ColumnUtils.toArray} throws "Column ... not found in result set ... DBZ-4350",
     * and the snapshot skips that table and every table after it. Hence:
     * <ul>
     *   <li>each captured generated column, {@code schema.table.column} as a literal, in
     *       {@code column.exclude.list} (appended to the user's own), so that the initial and
     *       blocking snapshots, which select the table's columns through that filter, leave it out
     *       too; with a user's {@code column.include.list} (the two may not both be set) each of
     *       its patterns is made to skip them instead;</li>
     *   <li>the list always set, {@link #NO_COLUMN} when nothing else is in it: Debezium's
     *       incremental chunk query then selects the columns of its model, so that a generated
     *       column added later ({@code ALTER TABLE ... ADD COLUMN ... GENERATED}) before the app's
     *       next refresh names it still cannot fail the snapshot.</li>
     * </ul>
     *
     * @param generated the captured tables' generated columns: table -> column names
     */
    public Map<String, String> generatedColumnSettings(Map<TableId, List<String>> generated) {
        List<String> literals = new ArrayList<>();
        new TreeMap<>(generated).forEach((table, columns) -> {
            for (String column : columns) {
                literals.add(regexLiteral(table.schema()) + "\\." + regexLiteral(table.table()) + "\\." + regexLiteral(column));
            }
        });
        Map<String, String> settings = new LinkedHashMap<>();
        if (!blank(COLUMN_INCLUDE)) {
            if (literals.isEmpty()) {
                return settings;
            }
            String names = String.join("|", literals);
            List<String> wrapped = new ArrayList<>();
            for (String regex : config.get(COLUMN_INCLUDE).split(",")) {
                if (!regex.isBlank()) {
                    wrapped.add("(?!(?:" + names + ")$)(?:" + regex.trim() + ")");
                }
            }
            settings.put(COLUMN_INCLUDE, String.join(",", wrapped));
            return settings;
        }
        List<String> entries = new ArrayList<>();
        if (!blank(COLUMN_EXCLUDE)) {
            entries.add(config.get(COLUMN_EXCLUDE).trim());
        }
        entries.addAll(literals);
        if (entries.isEmpty()) {
            entries.add(NO_COLUMN);
        }
        // joined apart: a name's own escaped ',' or '|' must not become a list separator
        settings.put(COLUMN_EXCLUDE, String.join(",", entries));
        return settings;
    }

    /** A name as a regular expression that matches it alone (Debezium's lists are regexes). */
    public static String regexLiteral(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("\\.[]{}()<>*+-=!?^$|,".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The filter settings as the log shows them. */
    public String describe() {
        List<String> set = new ArrayList<>();
        for (String key : FILTER_KEYS) {
            if (!blank(key)) {
                set.add(key + "=" + config.get(key).trim());
            }
        }
        return set.isEmpty() ? "every schema (no include or exclude list)" : String.join(", ", set);
    }

    /**
     * Debezium's {@code data-collections} of an {@code execute-snapshot} or {@code stop-snapshot}
     * signal: each name as a pattern that matches it alone. Debezium matches them as regular
     * expressions (the incremental snapshot against the tables it knows, the blocking one against
     * the tables it reads from the catalog): {@code a+b} unescaped matches {@code aab} and never
     * {@code a+b}. A table it does not know yet is read by a blocking snapshot, which reads the catalog.
     */
    static List<String> dataCollections(Set<String> tables) {
        return new TreeSet<>(tables).stream().map(CaptureScope::regexLiteral).toList();
    }
}
