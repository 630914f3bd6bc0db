package io.cdccamel.connect;

import io.cdccamel.api.ApiSecurity;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The short banner printed once the connector runs: where everything listens and what to try.
 *
 * @param security the API's token of this start
 */
public record Banner(StackModeSettings stack, PostgresSettings postgres, ConnectSettings connect, OutputSettings output,
                     ApiSettings api, ApiSecurity security) {

    /** On the console only (cdc-camel-log4j2.xml): the banner holds the page's link with the token, which no log file may. */
    public static final String LOGGER = "io.cdccamel.banner";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** The same banner for data/logs/cdc-camel.log (file only), with the link's token left out. */
    public static final String FILE_LOGGER = "io.cdccamel.banner-file";
    private static final Logger FILE_LOG = LoggerFactory.getLogger(FILE_LOGGER);

    /** docker-compose's password: shown in the Try line; a password of the user's own never is. */
    static final String DEFAULT_PASSWORD = PostgresSettings.COMPOSE_PASSWORD;

    /** @param state what Debezium does: {@code streaming}, or {@code running} where that cannot be seen */
    public void print(String state) {
        String host = postgres.host();
        int port = postgres.port();
        String user = postgres.user();
        String db = postgres.database();
        String mode = stack.embedded() ? StackModeSettings.MODE_EMBEDDED : StackModeSettings.MODE_EXTERNAL;
        String text = String.join("\n",
                "",
                "==================== cdc-camel is " + state + " (" + mode + " mode) ====================",
                "  PostgreSQL     " + host + ":" + port + "  (user " + user + ", database " + db
                        + (stack.embedded() && postgres.embedded()
                        ? ", password in " + PostgresSettings.passwordFile(stack.dir()) : "") + ")",
                "  Kafka brokers  " + stack.brokers(),
                "  Kafka Connect  " + connect.url(),
                "  Output         " + output.dir() + "/<topic>.log",
                "  API            " + api.url()
                        + "  (live view at /, /api/topics, /api/connector, /observe/health, /observe/metrics, /q/dev)",
                "  Live view      " + security.pageLink(api.url())
                        + "  (open this link once: the page keeps the token and its buttons act)",
                "  API token      " + (security.tokenFile() == null ? "in the link above, for curl -H \"Authorization: Bearer <token>\" -X POST ..."
                        : "in " + security.tokenFile() + ", for curl -H \"Authorization: Bearer $(cat "
                        + security.tokenFile() + ")\" -X POST ..."),
                "  Try:  " + passwordHint()
                        + "psql -h " + host + " -p " + port + " -U " + user + " -d " + db
                        + " -c \"INSERT INTO debezium.product VALUES (24, 'my product')\"",
                "====================================================================================");
        LOG.info(text);
        FILE_LOG.info(text.replace(security.token(), "<token: on the console, and in "
                + (security.tokenFile() == null ? "cdc.api.token" : security.tokenFile().toString()) + ">"));
    }

    /**
     * How the Try line's psql gets the password, never the password itself: the embedded PostgreSQL's
     * password file, or docker-compose's well-known password; nothing for a password of the user's own.
     */
    private String passwordHint() {
        if (stack.embedded() && postgres.embedded()) {
            return "PGPASSFILE=" + PostgresSettings.pgpassFile(stack.dir()) + " ";
        }
        return DEFAULT_PASSWORD.equals(postgres.password()) ? "PGPASSWORD=" + DEFAULT_PASSWORD + " " : "";
    }

    /** Never the password nor the token. */
    @Override
    public String toString() {
        return "Banner[" + stack.brokers() + ", " + connect.url() + ", " + api.url() + "]";
    }
}
