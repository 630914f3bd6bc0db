package io.cdccamel.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.data.Envelope;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope printed from its bytes ({@link EnvelopeText}) against the tree's printing of the same
 * bytes ({@link ChangeEvent#of}, {@link OutputFormat#appendEnvelope}): the same text, or no answer and the
 * tree decides; never an answer for a value the tree refuses.
 */
class EnvelopeTextTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    private static String envelope(ChangeEvent event) {
        StringBuilder out = new StringBuilder();
        OutputFormat.appendEnvelope(event, out);
        return out.toString();
    }

    /** What the tree makes of the value: its printed envelope, or null when it refuses it. */
    private static String byTree(byte[] value) {
        try {
            return envelope(ChangeEvent.of(MAPPER.readTree(value)));
        } catch (Exception e) {
            return null;
        }
    }

    /** The token way's envelope, or null when it leaves the value to the tree (and then leaves {@code out} as it was). */
    private static String byTokens(String json) {
        StringBuilder out = new StringBuilder("before|");
        Envelope.Operation operation = EnvelopeText.print(MAPPER.getFactory(), json.getBytes(StandardCharsets.UTF_8), out);
        assertThat(out.toString()).startsWith("before|");
        if (operation == null) {
            assertThat(out.toString()).isEqualTo("before|");
            return null;
        }
        return out.substring("before|".length());
    }

    /** Both ways agree; returns whether the token way answered. */
    private static boolean agree(String json) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        Envelope.Operation operation = EnvelopeText.print(MAPPER.getFactory(), value, out);
        String tree = byTree(value);
        assertThat(byTokens(json)).isEqualTo(operation == null ? null : out.toString());
        if (operation == null) {
            return false;
        }
        assertThat(tree).as("the tree refuses what the tokens printed: %s", json).isNotNull();
        assertThat(out.toString()).as(json).isEqualTo(tree);
        assertThat(operation.code()).isEqualTo(ChangeEvent.of(readTree(value)).opCode());
        return true;
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void printsTheSeedsSnapshotEventAsTheGoldenFileHasIt() throws Exception {
        String seed;
        try (InputStream in = getClass().getResourceAsStream("/envelopes/seed-snapshot.json")) {
            seed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/envelopes/seed-snapshot.golden.txt")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder entry = OutputFormat.appendHeader(new StringBuilder(), "postgres.debezium.product", 0, 0);
        assertThat(EnvelopeText.print(MAPPER.getFactory(), seed.getBytes(StandardCharsets.UTF_8), entry)).isEqualTo(Envelope.Operation.READ);
        assertThat(entry.append('\n').toString()).isEqualTo(golden);
    }

    @Test
    void agreesWithTheTreeOnKeysOrderRepeatsEscapesAndNumbers() {
        assertThat(agree("{\"op\":\"c\",\"after\":{\"b\":1,\"a\":2},\"before\":null}")).isTrue();
        // a repeated key: its last value, at its place in Go's order
        assertThat(agree("{\"op\":\"u\",\"x\":1,\"a\":0,\"x\":{\"k\":[1,2]},\"x\":\"last\"}")).isTrue();
        assertThat(agree("{\"op\":\"r\",\"é\":1,\"z\":2,\"Z\":3,\"\uD83D\uDE00\":4,\"\uFFFD\":5,\"\":6}")).isTrue();
        assertThat(agree("{\"op\":\"d\",\"v\":\"tab\\there \\\"q\\\" \\\\ \\u0000 \\u0085 \\u2028 <&> \\ud800 line\\nnext\"}")).isTrue();
        assertThat(agree("{\"op\":\"c\",\"n\":[1795613960337864269,1.50,-0.0,1E10,1e-7,0,[],{},[[]],[{}]]}")).isTrue();
        assertThat(agree("{\"op\":\"t\"}")).isTrue();
        assertThat(agree("  {\"op\" : \"c\" , \"a\" : true , \"b\" : false }  ")).isTrue();
        String deep = "[".repeat(500) + "1" + "]".repeat(500);
        assertThat(agree("{\"op\":\"c\",\"deep\":" + deep + "}")).isTrue();
    }

    @Test
    void leavesToTheTreeWhatItPrintsOtherwiseOrRefuses() {
        // printed otherwise by the tree: a schema envelope (its payload), a logical decoding message (content_text)
        assertThat(agree("{\"schema\":{},\"payload\":{\"op\":\"c\"}}")).isFalse();
        assertThat(agree("{\"op\":\"m\",\"message\":{\"content\":\"6869\"}}")).isFalse();
        assertThat(byTree("{\"op\":\"m\",\"message\":{\"content\":\"6869\"}}".getBytes(StandardCharsets.UTF_8)))
                .contains("content_text");
        // refused by the tree
        for (String bad : List.of("", "   ", "null", "[]", "\"op\"", "42", "{}", "{\"op\":\"x\"}", "{\"op\":1}",
                "{\"op\":\"c\",\"op\":null}", "{\"op\":\"c\"", "{\"op\":\"c\",\"a\":[1,2}", "{\"op\":\"c\",\"a\":tru}",
                "{\"op\":\"c\",\"a\":NaN}", "{\"op\":\"c\",\"a\":01}", "not json", "{\"op\":\"c\",\"a\":\"\\x\"}",
                "{\"op\":\"c\",\"deep\":" + "[".repeat(1_500) + "]".repeat(1_500) + "}")) {
            assertThat(byTokens(bad)).as(bad).isNull();
        }
        // something after the object: the tree reads the object and leaves the rest, as it always did
        assertThat(agree("{\"op\":\"c\"} trailing")).isFalse();
        assertThat(byTree("{\"op\":\"c\"} trailing".getBytes(StandardCharsets.UTF_8))).isNotNull();
        // the op's last value counts, as in the tree
        assertThat(agree("{\"op\":1,\"op\":\"c\"}")).isTrue();
    }

    @Test
    void agreesWithTheTreeOnTenThousandRandomEnvelopes() {
        Random random = new Random(25);
        int printed = 0;
        for (int i = 0; i < 10_000; i++) {
            StringBuilder json = new StringBuilder("{");
            int fields = random.nextInt(12);
            List<String> parts = new ArrayList<>();
            parts.add(quoted("op") + ":" + (random.nextInt(20) == 0 ? value(random, 2) : quoted(
                    List.of("c", "u", "d", "r", "t", "m", "x").get(random.nextInt(7)))));
            for (int f = 0; f < fields; f++) {
                parts.add(quoted(key(random)) + ":" + value(random, 4));
            }
            java.util.Collections.shuffle(parts, random);
            json.append(String.join(random.nextBoolean() ? "," : " , ", parts)).append('}');
            String text = json.toString();
            if (random.nextInt(50) == 0) {
                text = text.substring(0, random.nextInt(text.length())); // cut short
            }
            if (agree(text)) {
                printed++;
            } else {
                // no schema envelopes nor trailing text here: the tree prints only what the tokens leave to it, op m
                String tree = byTree(text.getBytes(StandardCharsets.UTF_8));
                assertThat(tree == null || ChangeEvent.of(readTree(text.getBytes(StandardCharsets.UTF_8))).opCode().equals("m"))
                        .as(text).isTrue();
            }
        }
        assertThat(printed).isGreaterThan(5_000);
    }

    private static String key(Random random) {
        String[] keys = {"a", "b", "A", "_", "é", "id", "after", "before", "source", "\uD83D\uDE00", "ts_ms", "ts_ns", "x y",
            "", "op", "k\\\"q", "\u2028"};
        return keys[random.nextInt(keys.length)];
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth <= 0 ? 6 : 8);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> List.of("0", "-1", "1.50", "1795613960337864269", "123456789012345678901234567890.000001", "-0.0",
                    "1E+3", "2.5e-12").get(random.nextInt(8));
            case 3, 4, 5 -> quoted(string(random));
            case 6 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(value(random, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> fields = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    fields.add(quoted(key(random)) + ":" + value(random, depth - 1));
                }
                yield "{" + String.join(",", fields) + "}";
            }
        };
    }

    private static String string(Random random) {
        String[] pieces = {"plain", " ", "é", "\\n", "\\t", "\\\"", "\\\\", "\\u0001", "\\u0085", "\\u2028", "\\ud83d\\ude00",
            "\\udc00", "<b>&amp;</b>", "Message on [ Topic: t , Partition: 0, Offset: 1 ] ", "日本", "\uD83D\uDE00", "\u0085"};
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(5); i > 0; i--) {
            s.append(pieces[random.nextInt(pieces.length)]);
        }
        return s.toString();
    }

    /** A JSON string of text that is already escaped where it needs to be. */
    private static String quoted(String escaped) {
        return "\"" + escaped + "\"";
    }
}
