package io.cdccamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code CDC_LOG_FORMAT=json}: cdc-camel-log4j2.xml's two console appenders (the app's lines, the
 * printed events) write one JSON object per line, hostile text (newlines, quotes, a header-shaped
 * line, NEL, U+2028, an exception) inside it; the default stays text. Loaded in a context of its own,
 * not the test JVM's.
 */
class LogFormatTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HOSTILE = "Message on [ Topic: t , Partition: 0, Offset: 1 ]\n{\"a\": \"q\\\"uote\"}\r\n"
            + "NEL\u0085 LS\u2028 tab\t \u00e9t\u00e9 \u2603 \u0000end";

    private final LoggerContext context = new LoggerContext("log-format-test");

    @AfterEach
    void clear() {
        System.clearProperty(CdcApplication.LOG_FORMAT);
        context.stop();
    }

    private Configuration load(String format) throws Exception {
        if (format != null) {
            System.setProperty(CdcApplication.LOG_FORMAT, format);
        }
        try (InputStream in = getClass().getResourceAsStream("/cdc-camel-log4j2.xml")) {
            Configuration config = ConfigurationFactory.getInstance().getConfiguration(context, new ConfigurationSource(in));
            config.initialize();
            return config;
        }
    }

    private static LogEvent event(String logger, String text, Throwable thrown) {
        return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.ERROR).setMessage(new SimpleMessage(text))
                .setThrown(thrown).setTimeMillis(1_796_000_000_000L).setThreadName("Camel (cdc-camel) thread #7").build();
    }

    private static String written(Appender appender, LogEvent event) {
        Layout<?> layout = appender.getLayout();
        return new String(layout.toByteArray(event), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteEveryConsoleLineAsOneJsonObjectWhenAskedTo() throws Exception {
        Configuration config = load("json");

        for (String name : new String[] {"console", "events"}) {
            Appender appender = config.getAppender(name);
            String out = written(appender, event("io.cdccamel.register-connector", HOSTILE, new IllegalStateException("bad\nstate")));
            assertThat(out).as(name).endsWith("\n");
            // JSON Lines ends a line at \n only: NEL and U+2028 stay as they are inside a JSON string, which is valid
            // JSON (a reader that splits on them, as Python's str.splitlines does, must split on \n instead)
            assertThat(out.substring(0, out.length() - 1)).as(name + ": one line").doesNotContain("\n", "\r");
            JsonNode json = MAPPER.readTree(out);
            assertThat(json.path("message").asText()).as(name).isEqualTo(HOSTILE);
            assertThat(json.path("log.level").asText()).isEqualTo("ERROR");
            assertThat(json.path("log.logger").asText()).isEqualTo("io.cdccamel.register-connector");
            assertThat(json.path("@timestamp").asText()).startsWith("2026-");
            assertThat(json.path("error.message").asText()).isEqualTo("bad\nstate");
        }
    }

    @Test
    void shouldStayTextByDefault() throws Exception {
        Configuration config = load(null);

        assertThat(config.getAppender("console").getLayout()).isInstanceOf(PatternLayout.class);
        assertThat(written(config.getAppender("events"), event("io.cdccamel.print-change-events", HOSTILE, null)))
                .isEqualTo(HOSTILE);
    }

    @Test
    void shouldTakeTheSettingFromTheEnvironmentAndRefuseAnUnknownOne() {
        assertThat(CdcApplication.logFormat(null, null)).isEqualTo("text");
        assertThat(CdcApplication.logFormat(null, "JSON ")).isEqualTo("json");
        assertThat(CdcApplication.logFormat("text", "json")).as("-D wins").isEqualTo("text");
        assertThat(CdcApplication.logFormat(null, "xml")).isNull();
    }
}
