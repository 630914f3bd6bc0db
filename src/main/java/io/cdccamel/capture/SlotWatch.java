package io.cdccamel.capture;

import io.cdccamel.base.Published;
import io.cdccamel.settings.CaptureSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import io.cdccamel.base.ReadinessCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replication slot Debezium reads from, as PostgreSQL sees it: the WAL it holds back
 * ({@code pg_current_wal_lsn() - restart_lsn}), its {@code wal_status} and whether a reader is
 * attached. A slot keeps every WAL segment its reader has not confirmed, while the app is stopped
 * too: this is what shows it, in the log at start, in {@code /observe/metrics} and in
 * {@code /observe/health} (DOWN past {@code cdc.slot.max-retained-bytes}, or when PostgreSQL gave
 * the slot up).
 */
@Published
public final class SlotWatch extends ReadinessCheck {

    public static final String MAX_RETAINED = CaptureSettings.SLOT_MAX_RETAINED_BYTES;
    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.capture");

    /** What {@code pg_replication_slots} says of the slot; {@code retainedBytes} is -1 when it holds nothing. */
    public record State(boolean exists, boolean active, String walStatus, long retainedBytes) {

        boolean lost() {
            return "lost".equals(walStatus);
        }
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String slot;
    private final long maxRetainedBytes;
    private volatile State last = new State(false, false, "unknown", -1);

    public SlotWatch(String jdbcUrl, String user, String password, String slot, long maxRetainedBytes) {
        super("replication-slot");
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.slot = slot;
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /** Reads the slot now. */
    public State read() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             PreparedStatement s = c.prepareStatement("SELECT active, wal_status, "
                     + "(pg_current_wal_lsn() - restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                State state = rs.next()
                        ? new State(true, rs.getBoolean(1), String.valueOf(rs.getString(2)), rs.getObject(3) == null ? -1 : rs.getLong(3))
                        : new State(false, false, "none", -1);
                last = state;
                return state;
            }
        }
    }

    public State last() {
        return last;
    }

    public String slot() {
        return slot;
    }

    public long maxRetainedBytes() {
        return maxRetainedBytes;
    }

    /**
     * The line at start: how much WAL the slot held while nobody read it, or, when PostgreSQL
     * invalidated it, that the changes since are gone and what to do.
     */
    public void logAtStart(String connectUrl, String connector) {
        try {
            State s = read();
            if (!s.exists()) {
                return;
            }
            if (s.lost()) {
                LOG.error("Replication slot {} was invalidated by PostgreSQL (wal_status lost: it held more WAL than "
                        + "max_slot_wal_keep_size allows), so the changes made since Debezium last read are gone; to start "
                        + "again with a fresh snapshot of every table: curl -X PUT {}/connectors/{}/stop; curl -X DELETE "
                        + "{}/connectors/{}/offsets; psql -c \"SELECT pg_drop_replication_slot('{}')\"; curl -X PUT "
                        + "{}/connectors/{}/resume", slot, connectUrl, connector, connectUrl, connector, slot, connectUrl, connector);
                return;
            }
            String held = "Replication slot " + slot + " holds " + megabytes(s.retainedBytes()) + " of WAL (wal_status "
                    + s.walStatus() + ", " + (s.active() ? "read by a connector" : "nobody reading yet") + ")";
            if (s.retainedBytes() > maxRetainedBytes) {
                LOG.warn("{}: more than {} ({}), /observe/health says DOWN until Debezium catches up", held, MAX_RETAINED,
                        megabytes(maxRetainedBytes));
            } else {
                LOG.info("{}", held);
            }
        } catch (SQLException e) {
            LOG.info("Could not read replication slot {}: {}", slot, Preflight.firstLine(e.getMessage()));
        }
    }

    /** The slot as the live page shows it (the last reading). */
    public Map<String, Object> view() {
        State s = last;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("slot", slot);
        view.put("exists", s.exists());
        view.put("active", s.active());
        view.put("walStatus", s.walStatus());
        view.put("retainedBytes", s.retainedBytes());
        view.put("maxRetainedBytes", maxRetainedBytes);
        return view;
    }

    /** The slot's gauges in {@code /observe/metrics}; each reads the slot when scraped. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("cdc.slot.retained.wal.bytes", this, w -> refreshed().retainedBytes())
                .description("WAL the replication slot holds back (pg_current_wal_lsn() - restart_lsn); -1 when none")
                .tag("slot", slot).register(registry);
        Gauge.builder("cdc.slot.active", this, w -> last.active() ? 1 : 0)
                .description("1 while a connector reads the slot").tag("slot", slot).register(registry);
        Gauge.builder("cdc.slot.lost", this, w -> last.lost() ? 1 : 0)
                .description("1 once PostgreSQL invalidated the slot (wal_status lost)").tag("slot", slot).register(registry);
        Gauge.builder("cdc.slot.max.retained.wal.bytes", this, w -> maxRetainedBytes)
                .description("Retained WAL past which /observe/health says DOWN").tag("slot", slot).register(registry);
    }

    private State refreshed() {
        try {
            return read();
        } catch (SQLException e) {
            return last;
        }
    }


    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        State s;
        try {
            s = read();
        } catch (SQLException e) {
            builder.message("Cannot read replication slot " + slot + ": " + Preflight.firstLine(e.getMessage()));
            builder.unknown();
            return;
        }
        builder.detail("slot", slot);
        builder.detail("retained.wal.bytes", s.retainedBytes());
        builder.detail("wal.status", s.walStatus());
        builder.detail("active", s.active());
        if (s.lost()) {
            builder.message("PostgreSQL invalidated slot " + slot + " (wal_status lost): the changes since Debezium last "
                    + "read are gone; drop the slot and snapshot again (docs/operations.md)");
            builder.down();
        } else if (s.retainedBytes() > maxRetainedBytes) {
            builder.message("Slot " + slot + " holds " + megabytes(s.retainedBytes()) + " of WAL, more than " + MAX_RETAINED
                    + " (" + megabytes(maxRetainedBytes) + "): Debezium is behind or stopped");
            builder.down();
        } else {
            builder.up();
        }
    }

    static String megabytes(long bytes) {
        return bytes < 0 ? "no WAL" : String.format("%,.1f MB", bytes / 1e6);
    }
}
