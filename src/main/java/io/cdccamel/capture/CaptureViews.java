package io.cdccamel.capture;

import io.cdccamel.base.Published;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the live page shows of the capture: the replication slot's reading, each captured table's
 * snapshot job, the slot's retained WAL for its chart. {@link #NONE} where the app prepares no
 * capture (no sync this start): the page then shows none of them.
 *
 * @param slot        the slot's reading, or null
 * @param tables      each captured table's snapshot job, or null
 * @param retainedWal the bytes of WAL the slot holds back (read from PostgreSQL at each call), or null
 */
@Published
public record CaptureViews(Supplier<Map<String, Object>> slot, Supplier<Map<String, Object>> tables, LongSupplier retainedWal) {

    public static final CaptureViews NONE = new CaptureViews(null, null, null);
}
