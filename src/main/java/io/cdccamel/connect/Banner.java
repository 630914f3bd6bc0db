package io.cdccamel.connect;

import io.cdccamel.api.ApiSecurity;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The short banner printed once the connector runs: where everything listens and what to try. */
public final class Banner {

    private static final Logger LOG = LoggerFactory.getLogger("io.cdccamel.banner");

    private Banner() {
    }

    /** The tutorial's password: shown in the Try line; a password of the user's own never is. */
    static final String DEFAULT_PASSWORD = "postgres";

    /**
     * @param state    what Debezium does: {@code streaming}, or {@code running} where that cannot be seen
     * @param security the API's token of this start
     */
    public static void print(PropertiesComponent pc, String state, ApiSecurity security) {
        String host = value(pc, "cdc.postgres.host");
        String port = value(pc, "cdc.postgres.port");
        String user = value(pc, "cdc.postgres.user");
        String db = value(pc, "cdc.postgres.database");
        String text = String.join("\n",
                "",
                "==================== cdc-camel is " + state + " (" + value(pc, "cdc.mode") + " mode) ====================",
                "  PostgreSQL     " + host + ":" + port + "  (user " + user + ", database " + db + ")",
                "  Kafka brokers  " + value(pc, "cdc.kafka.brokers"),
                "  Kafka Connect  " + value(pc, "cdc.connect.url"),
                "  Output         " + value(pc, "cdc.output.dir") + "/<topic>.log",
                "  API            http://" + value(pc, "cdc.api.host") + ":" + value(pc, "cdc.api.port")
                        + "  (live view at /, /api/topics, /api/connector, /observe/health, /observe/metrics, /q/dev)",
                "  API token      " + security.token() + (security.tokenFile() == null ? ""
                        : "  (also in " + security.tokenFile() + ", for curl -H \"Authorization: Bearer $(cat "
                        + security.tokenFile() + ")\" -X POST ...)"),
                "  Try:  " + (DEFAULT_PASSWORD.equals(value(pc, "cdc.postgres.password")) ? "PGPASSWORD=postgres " : "")
                        + "psql -h " + host + " -p " + port + " -U " + user + " -d " + db
                        + " -c \"INSERT INTO debezium.product VALUES (24, 'my product')\"",
                "====================================================================================");
        LOG.info(text);
    }

    private static String value(PropertiesComponent pc, String key) {
        return pc.resolveProperty(key).orElse("?");
    }
}
