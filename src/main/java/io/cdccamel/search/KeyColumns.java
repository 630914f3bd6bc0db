package io.cdccamel.search;

import java.util.List;

/** A table's key columns in key order, as Debezium keys its events; empty for a table without a key. */
@FunctionalInterface
public interface KeyColumns {

    /**
     * @param table {@code schema.table}
     * @throws Exception when they cannot be read now (the database is not reachable): asked again later
     */
    List<String> of(String table) throws Exception;
}
