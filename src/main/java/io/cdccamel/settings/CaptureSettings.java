package io.cdccamel.settings;

/**
 * {@code cdc.capture.*}: how the source database is kept in line with what the connector file captures.
 *
 * @param manageDatabase     {@code cdc.capture.manage-database}: keep the publication, grants and signal
 *                           table in line; false: only log the SQL
 * @param replicaIdentityFull {@code cdc.capture.replica-identity-full}: {@code auto}, {@code true} or {@code false}
 * @param refreshMillis      {@code cdc.capture.refresh.ms}: how often tables created later are looked for; 0: never
 *                           (the pending snapshots are still sent, every second)
 * @param slotMaxRetainedBytes {@code cdc.slot.max-retained-bytes}: the replication slot's health is DOWN
 *                           while it holds more WAL than this
 * @param snapshotStallMillis {@code cdc.snapshot.stall-timeout.ms}: a snapshot job Debezium has said nothing of
 *                           for this long (no notification since its signal or its last one) is failed
 */
public record CaptureSettings(boolean manageDatabase, String replicaIdentityFull, long refreshMillis,
                              long slotMaxRetainedBytes, long snapshotStallMillis) {

    public static final String MANAGE = "cdc.capture.manage-database";
    public static final String REPLICA_IDENTITY_FULL = "cdc.capture.replica-identity-full";
    public static final String REFRESH_MS = "cdc.capture.refresh.ms";
    public static final String SLOT_MAX_RETAINED_BYTES = "cdc.slot.max-retained-bytes";
    public static final String SNAPSHOT_STALL_MS = "cdc.snapshot.stall-timeout.ms";

    public static CaptureSettings read(SettingsReader settings) {
        return new CaptureSettings(settings.flag(MANAGE, true),
                settings.choice(REPLICA_IDENTITY_FULL, "auto", "auto", "true", "false"), settings.whole(REFRESH_MS, 10000, 0),
                settings.whole(SLOT_MAX_RETAINED_BYTES, 4000000000L, 1), settings.whole(SNAPSHOT_STALL_MS, 600000, 1000));
    }

    /** Whether every captured table gets {@code REPLICA IDENTITY FULL}; {@code auto}: where the app owns the database. */
    public boolean replicaIdentityFull(boolean ownsDatabase) {
        return "auto".equals(replicaIdentityFull) ? ownsDatabase : Boolean.parseBoolean(replicaIdentityFull);
    }
}
