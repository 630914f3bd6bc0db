package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class OutputFormatTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    private static String resource(String name) throws IOException {
        try (InputStream in = OutputFormatTest.class.getResourceAsStream("/envelopes/" + name)) {
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
        String text = OutputFormat.event("postgres.debezium.product", 0, 0, event(resource("seed-snapshot.json")));

        assertThat(text).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldWriteTheHeaderWithGoSpacingOnTheSameLineAsTheJson() throws IOException {
        String text = OutputFormat.event("t", 2, 41, event("{\"op\":\"c\"}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 2, Offset: 41 ] {\n\t\"op\": \"c\"\n}\n");
    }

    @Test
    void shouldKeepIntegersAbove2Pow53Exactly() throws IOException {
        String text = OutputFormat.event("t", 0, 0, event("{\"ts_ns\":1795613960337864269,\"f\":1.50,\"e\":1.0E10,\"n\":-0.0}"));

        assertThat(text).contains("\"ts_ns\": 1795613960337864269")
                .contains("\"f\": 1.50").contains("\"e\": 1.0E10").contains("\"n\": -0.0");
    }

    @Test
    void shouldPrintHtmlCharactersAsThemselves() throws IOException {
        String text = OutputFormat.event("t", 0, 0, event("{\"name\":\"<b>Tom & Jerry</b>\"}"));

        assertThat(text).contains("\"name\": \"<b>Tom & Jerry</b>\"").doesNotContain("\\u003c");
    }

    @Test
    void shouldEscapeStringsAsGoDoes() throws IOException {
        String text = OutputFormat.event("t", 0, 0,
                event("{\"s\":\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f c\\u0001 ls\\u2028 é 😀\"}"));

        assertThat(text).contains("\"s\": \"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f c\\u0001 ls\\u2028 é 😀\"");
    }

    @Test
    void shouldSortKeysByUtf8BytesAtEveryLevel() throws IOException {
        String text = OutputFormat.event("t", 0, 0, event("{\"b\":{\"z\":1,\"Z\":2,\"é\":3,\"a\":4},\"_\":0,\"A\":1}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 0, Offset: 0 ] {\n"
                + "\t\"A\": 1,\n\t\"_\": 0,\n\t\"b\": {\n\t\t\"Z\": 2,\n\t\t\"a\": 4,\n\t\t\"z\": 1,\n\t\t\"é\": 3\n\t}\n}\n");
    }

    @Test
    void shouldIndentArraysAndPrintEmptyContainersOnOneLine() throws IOException {
        String text = OutputFormat.event("t", 0, 0, event("{\"a\":[1,{\"x\":true}],\"e\":[],\"o\":{}}"));

        assertThat(text).isEqualTo("Message on [ Topic: t , Partition: 0, Offset: 0 ] {\n"
                + "\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"x\": true\n\t\t}\n\t],\n\t\"e\": [],\n\t\"o\": {}\n}\n");
    }

    @Test
    void shouldPrintTombstoneOnOneLineWithItsKey() {
        String text = OutputFormat.tombstone("postgres.debezium.product", 1, 7, "Struct{id=23}");

        assertThat(text).isEqualTo("Message on [ Topic: postgres.debezium.product , Partition: 1, Offset: 7 ] "
                + "tombstone (null value) for key Struct{id=23}\n");
    }

    @Test
    void shouldPrintTheSchemaPayloadEnvelopeAsItsPayload() throws IOException {
        String wrapped = "{\"schema\":{\"type\":\"struct\"},\"payload\":" + resource("seed-snapshot.json") + "}";

        String text = OutputFormat.event("postgres.debezium.product", 0, 0, event(wrapped));

        assertThat(text).isEqualTo(resource("seed-snapshot.golden.txt"));
    }

    @Test
    void shouldKeepDeadLetterEntriesOnOneLine() {
        String text = OutputFormat.deadLetter("t", 0, 9, "bad \"op\"\nthing\u0085", "\"x\"");

        assertThat(text).isEqualTo("Dead letter on [ Topic: t , Partition: 0, Offset: 9 ] reason: bad \"op\"\\nthing\\u0085 | value: \"x\"\n");
    }

    @Test
    void shouldPrintAKeyThatHoldsANewlineAndAHeaderOnOneLine() {
        String header = "Message on [ Topic: postgres.debezium.product , Partition: 0, Offset: 9223372036854775806 ] {";
        String text = OutputFormat.tombstone("postgres.debezium.t", 0, 3, "a\n" + header + "\u0085" + header + "\u2028\u2029\\");

        assertThat(text.lines()).hasSize(1);
        assertThat(text).endsWith("for key a\\n" + header + "\\u0085" + header + "\\u2028\\u2029\\\\\n");
        assertThat(OutputFormat.entries(text)).singleElement().extracting(OutputFormat.Entry::topic).isEqualTo("postgres.debezium.t");
    }

    @Test
    void shouldEscapeNelAndTheUnicodeLineSeparatorsInValues() throws IOException {
        String text = OutputFormat.event("t", 0, 1, event("{\"op\":\"c\",\"after\":{\"v\":\"x\u0085Message on [ Topic: t , Partition: 0, Offset: 99 ] \u2028\u2029\"}}"));

        assertThat(text).contains("\"x\\u0085Message on [ Topic: t , Partition: 0, Offset: 99 ] \\u2028\\u2029\"");
        assertThat(text).doesNotContain("\u0085").doesNotContain("\u2028").doesNotContain("\u2029");
    }

    @Test
    void shouldPrintAUtf8LogicalMessageAsTextBesideItsHex() throws IOException {
        String hex = java.util.HexFormat.of().formatHex("hello ✓".getBytes(StandardCharsets.UTF_8));
        String text = OutputFormat.event("postgres.message", 0, 7, event(
                "{\"op\":\"m\",\"message\":{\"prefix\":\"cdc\",\"content\":\"" + hex + "\"}}"));
        assertThat(text).contains("\"content\": \"" + hex + "\",\n\t\t\"content_text\": \"hello ✓\",");
    }

    @Test
    void shouldLeaveAMessageThatIsNotUtf8AsHexOnly() throws IOException {
        String text = OutputFormat.event("postgres.message", 0, 8, event(
                "{\"op\":\"m\",\"message\":{\"prefix\":\"cdc\",\"content\":\"c328ff\"}}"));
        assertThat(text).contains("\"content\": \"c328ff\"").doesNotContain("content_text");
    }

    @Test
    void shouldReadBackEveryKindOfEntryItWrites() throws IOException {
        String text = OutputFormat.event("t", 0, 4, event(resource("seed-snapshot.json")))
                + OutputFormat.tombstone("t", 1, 5, "Struct{id=23}")
                + OutputFormat.deadLetter("t", 2, 6, "bad", "\"Message on [ Topic: x , Partition: 9, Offset: 9 ] \"")
                + OutputFormat.event("t", 0, 7, event("{}"));

        assertThat(OutputFormat.entries(text))
                .extracting(OutputFormat.Entry::kind, OutputFormat.Entry::topic, OutputFormat.Entry::partition,
                        OutputFormat.Entry::offset)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(OutputFormat.Kind.EVENT, "t", 0, 4L),
                        org.assertj.core.groups.Tuple.tuple(OutputFormat.Kind.TOMBSTONE, "t", 1, 5L),
                        org.assertj.core.groups.Tuple.tuple(OutputFormat.Kind.DEAD_LETTER, "t", 2, 6L),
                        org.assertj.core.groups.Tuple.tuple(OutputFormat.Kind.EVENT, "t", 0, 7L));
        assertThat(OutputFormat.wholeEnd(text)).isEqualTo(text.length());
        assertThat(OutputFormat.parseHeader(OutputFormat.header("a.b", 2, 99) + "{").offset()).isEqualTo(99L);
        assertThat(OutputFormat.parseHeader("\t\"text\": \"Message on [ Topic: x , Partition: 9, Offset: 9 ] \"")).isNull();
    }

    @Test
    void shouldLeaveOutAnEntryCutShort() throws IOException {
        String whole = OutputFormat.event("t", 0, 1, event(resource("seed-snapshot.json")));
        String next = OutputFormat.event("t", 0, 2, event("{\"after\":{\"a\":{\"b\":1}},\"op\":\"c\"}"));
        // cut right after a nested object's closing brace: the line is "\t}" and not the envelope's end
        String cut = next.substring(0, next.indexOf("\t}\n") + 3);

        assertThat(OutputFormat.entries(whole + cut)).extracting(OutputFormat.Entry::offset).containsExactly(1L);
        assertThat(OutputFormat.wholeEnd(whole + cut)).isEqualTo(whole.length());
        assertThat(OutputFormat.wholeEnd(whole + OutputFormat.tombstone("t", 0, 3, "k").trim())).isEqualTo(whole.length());
    }
}
