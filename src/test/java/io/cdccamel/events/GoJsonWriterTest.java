package io.cdccamel.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GoJsonWriterTest {

    private final ObjectMapper mapper = ExactJson.newObjectMapper();

    @Test
    void shouldSortKeysByTheirUtf8BytesAsGoDoes() throws Exception {
        // UTF-8: a 61, é C3 A9, Ａ (U+FF21) EF BC A1, 😀 (U+1F600) F0 9F 98 80; in UTF-16 the emoji
        // (D83D DE00) would come before Ａ (FF21)
        String json = "{\"\uD83D\uDE00\":1,\"\uFF21\":2,\"\u00e9\":3,\"a\":4,\"ab\":5}";

        assertThat(GoJsonWriter.write(mapper.readTree(json)))
                .isEqualTo("{\n\t\"a\": 4,\n\t\"ab\": 5,\n\t\"\u00e9\": 3,\n\t\"\uFF21\": 2,\n\t\"\uD83D\uDE00\": 1\n}");
    }

    @Test
    void shouldEscapeOnlyWhatGoEscapesOutsideHtml() throws Exception {
        String json = "{\"s\":\"plain <&> text\",\"e\":\"q\\\" b\\\\ n\\n t\\t u\\u0001 ls\\u2028\"}";

        assertThat(GoJsonWriter.write(mapper.readTree(json)))
                .isEqualTo("{\n\t\"e\": \"q\\\" b\\\\ n\\n t\\t u\\u0001 ls\\u2028\",\n\t\"s\": \"plain <&> text\"\n}");
    }

    @Test
    void shouldIndentDeepNestingWithOneTabPerLevel() throws Exception {
        String json = "[".repeat(70) + "1" + "]".repeat(70);

        String written = GoJsonWriter.write(mapper.readTree(json));

        assertThat(written).contains("\n" + "\t".repeat(70) + "1\n" + "\t".repeat(69) + "]");
    }
}
