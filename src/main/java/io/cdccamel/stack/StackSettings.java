package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the embedded stack lives and listens. A port of 0 means any free port (tests use that).
 *
 * @param dir          project-owned data directory ({@code cdc.stack.dir})
 * @param postgresPort {@code cdc.postgres.port}
 * @param brokerPorts  {@code cdc.kafka.ports}, one per broker
 * @param connectPort  {@code cdc.connect.port}
 * @param startTimeout how long each part may take to become ready
 * @param connectWorker Kafka Connect worker settings over the stack's own ({@code cdc.connect.worker.<key>})
 * @param reset        delete what {@code dir} holds and start from scratch ({@code cdc.stack.reset})
 * @param postgresPassword the PostgreSQL superuser's password ({@code cdc.postgres.password}): the
 *                     embedded server asks every role for its password; empty: the install's own,
 *                     generated at the first start ({@link PostgresPassword})
 * @param scramListener each broker also listens on a free port with SASL_PLAINTEXT and SCRAM-SHA-256
 *                     ({@link KafkaCluster#scramBootstrapServers()}): a secured cluster for tests of
 *                     external mode, on the same brokers
 * @param postgres     start the embedded PostgreSQL ({@code cdc.postgres.embedded}); false: the user's own runs elsewhere
 */
public record StackSettings(Path dir, int postgresPort, List<Integer> brokerPorts, int connectPort, Duration startTimeout,
                            Map<String, String> connectWorker, boolean reset, String postgresPassword,
                            boolean scramListener, boolean postgres) {

    public static final String POSTGRES_PORT = PostgresSettings.PORT;
    public static final String KAFKA_PORTS = StackModeSettings.KAFKA_PORTS;
    public static final String CONNECT_PORT = ConnectSettings.PORT;
    public static final String CONNECT_WORKER_PREFIX = ConnectSettings.WORKER_PREFIX;

    /** With the install's own superuser password ({@link PostgresPassword}). */
    public StackSettings(Path dir, int postgresPort, List<Integer> brokerPorts, int connectPort, Duration startTimeout,
                         Map<String, String> connectWorker, boolean reset) {
        this(dir, postgresPort, brokerPorts, connectPort, startTimeout, connectWorker, reset, "", false, true);
    }

    public StackSettings {
        postgresPassword = postgresPassword == null ? "" : postgresPassword;
        brokerPorts = List.copyOf(brokerPorts);
        connectWorker = Map.copyOf(connectWorker);
        if (brokerPorts.size() != 3) {
            throw new StackStartException(KAFKA_PORTS + " must list 3 ports (one per broker), got " + brokerPorts);
        }
    }

    /** The same settings with {@code password} as the PostgreSQL superuser's. */
    public StackSettings withPostgresPassword(String password) {
        return new StackSettings(dir, postgresPort, brokerPorts, connectPort, startTimeout, connectWorker, reset, password,
                scramListener, postgres);
    }

    /** The same settings with a SASL/SCRAM listener on every broker besides the plain one. */
    public StackSettings withScramListener() {
        return new StackSettings(dir, postgresPort, brokerPorts, connectPort, startTimeout, connectWorker, reset,
                postgresPassword, true, postgres);
    }

    /** The same settings; {@code embedded=false}: no embedded PostgreSQL, the user's own is used. */
    public StackSettings withEmbeddedPostgres(boolean embedded) {
        return new StackSettings(dir, postgresPort, brokerPorts, connectPort, startTimeout, connectWorker, reset,
                postgresPassword, scramListener, embedded);
    }

    /** Every port free, picked at random: what tests use. */
    public static StackSettings randomPorts(Path dir) {
        return new StackSettings(dir, 0, List.of(0, 0, 0), 0, Duration.ofSeconds(120), Map.of(), false);
    }
}
