package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeEventFormatterTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();
    private final ChangeEventFormatter formatter = new ChangeEventFormatter();

    private static String resource(String name) throws IOException {
        try (InputStream in = ChangeEventFormatterTest.class.getResourceAsStream("/envelopes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The formatter prints any object; which objects are change events is ChangeEventTest's concern. */
    private static ChangeEvent event(String json) throws IOException {
        JsonNode value = MAPPER.readValue(json, JsonNode.class);
        return ChangeEvent.isSchemaEnvelope(value) ? ChangeEvent.of(value) : ChangeEvent.unchecked(value);
    }

    @Test
    void shouldPrintTheSeedEnvelopeByteForByteAsTheGoConsumerDid() throws IOException {
        String text = formatter.format("postgres.debezium.product", 0, 0, event(resource("seed-snapshot.json")));

        assertThat(text).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldWriteTheHeaderWithGoSpacingOnTheSameLineAsTheJson() throws IOException {
        String text = formatter.format("t", 2, 41, event("{\"op\":\"c\"}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 2, Offset: 41 ] {\n\t\"op\": \"c\"\n}\n");
    }

    @Test
    void shouldKeepIntegersAbove2Pow53Exactly() throws IOException {
        String text = formatter.format("t", 0, 0, event("{\"ts_ns\":1795613960337864269,\"f\":1.50,\"e\":1.0E10,\"n\":-0.0}"));

        assertThat(text).contains("\"ts_ns\": 1795613960337864269")
                .contains("\"f\": 1.50").contains("\"e\": 1.0E10").contains("\"n\": -0.0");
    }

    @Test
    void shouldPrintHtmlCharactersAsThemselves() throws IOException {
        String text = formatter.format("t", 0, 0, event("{\"name\":\"<b>Tom & Jerry</b>\"}"));

        assertThat(text).contains("\"name\": \"<b>Tom & Jerry</b>\"").doesNotContain("\\u003c");
    }

    @Test
    void shouldEscapeStringsAsGoDoes() throws IOException {
        String text = formatter.format("t", 0, 0,
                event("{\"s\":\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f c\\u0001 ls\\u2028 é 😀\"}"));

        assertThat(text).contains("\"s\": \"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f c\\u0001 ls\\u2028 é 😀\"");
    }

    @Test
    void shouldSortKeysByUtf8BytesAtEveryLevel() throws IOException {
        String text = formatter.format("t", 0, 0, event("{\"b\":{\"z\":1,\"Z\":2,\"é\":3,\"a\":4},\"_\":0,\"A\":1}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 0, Offset: 0 ] {\n"
                + "\t\"A\": 1,\n\t\"_\": 0,\n\t\"b\": {\n\t\t\"Z\": 2,\n\t\t\"a\": 4,\n\t\t\"z\": 1,\n\t\t\"é\": 3\n\t}\n}\n");
    }

    @Test
    void shouldIndentArraysAndPrintEmptyContainersOnOneLine() throws IOException {
        String text = formatter.format("t", 0, 0, event("{\"a\":[1,{\"x\":true}],\"e\":[],\"o\":{}}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 0, Offset: 0 ] {\n"
                + "\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"x\": true\n\t\t}\n\t],\n\t\"e\": [],\n\t\"o\": {}\n}\n");
    }

    @Test
    void shouldPrintTombstoneOnOneLineWithItsKey() {
        String text = formatter.formatTombstone("postgres.debezium.product", 1, 7, "Struct{id=23}");

        assertThat(text).isEqualTo("Message on [ Topic: postgres.debezium.product , Partition: 1, Offset: 7 ] "
                + "tombstone (null value) for key Struct{id=23}\n");
    }

    @Test
    void shouldPrintTheSchemaPayloadEnvelopeAsItsPayload() throws IOException {
        String wrapped = "{\"schema\":{\"type\":\"struct\"},\"payload\":" + resource("seed-snapshot.json") + "}";

        String text = formatter.format("postgres.debezium.product", 0, 0, event(wrapped));

        assertThat(text).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldKeepDeadLetterEntriesOnOneLine() {
        String text = formatter.formatDeadLetter("t", 0, 9, "bad\nthing", "\"x\"");

        assertThat(text).isEqualTo("Dead letter on [ Topic: t , Partition: 0, Offset: 9 ] reason: bad thing | value: \"x\"\n");
    }

    @Test
    void shouldPrintAUtf8LogicalMessageAsTextBesideItsHex() throws IOException {
        String hex = java.util.HexFormat.of().formatHex("hello ✓".getBytes(StandardCharsets.UTF_8));
        String text = formatter.format("postgres.message", 0, 7, event(
                "{\"op\":\"m\",\"message\":{\"prefix\":\"cdc\",\"content\":\"" + hex + "\"}}"));
        assertThat(text).contains("\"content\": \"" + hex + "\",\n\t\t\"content_text\": \"hello ✓\",");
    }

    @Test
    void shouldLeaveAMessageThatIsNotUtf8AsHexOnly() throws IOException {
        String text = formatter.format("postgres.message", 0, 8, event(
                "{\"op\":\"m\",\"message\":{\"prefix\":\"cdc\",\"content\":\"c328ff\"}}"));
        assertThat(text).contains("\"content\": \"c328ff\"").doesNotContain("content_text");
    }
}
