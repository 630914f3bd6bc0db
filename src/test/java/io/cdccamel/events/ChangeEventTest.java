package io.cdccamel.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.data.Envelope;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventTest {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    private static ChangeEvent parse(String json) throws IOException {
        return ChangeEvent.of(MAPPER.readValue(json, JsonNode.class));
    }

    @Test
    void shouldReadTheEnvelopeFields() throws IOException {
        ChangeEvent event = parse("{\"before\":{\"id\":1,\"name\":\"a\"},\"after\":{\"id\":1,\"name\":\"b\"},"
                + "\"source\":{\"name\":\"postgres\",\"schema\":\"debezium\",\"table\":\"product\",\"lsn\":5},"
                + "\"op\":\"u\",\"ts_ms\":1630916915785,\"transaction\":null}");

        assertThat(event.operation()).isEqualTo(Envelope.Operation.UPDATE);
        assertThat(event.opCode()).isEqualTo("u");
        assertThat(event.before().get("name").asText()).isEqualTo("a");
        assertThat(event.after().get("name").asText()).isEqualTo("b");
        assertThat(event.timestampMillis()).isEqualTo(1630916915785L);
    }

    @Test
    void shouldRejectATombstoneAsAnEvent() {
        assertThatThrownBy(() -> ChangeEvent.of(null))
                .isInstanceOf(InvalidChangeEventException.class).hasMessageContaining("tombstone");
    }

    @Test
    void shouldUnwrapTheSchemaPayloadShape() throws IOException {
        ChangeEvent event = parse("{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":{\"op\":\"c\",\"after\":{\"id\":7}}}");

        assertThat(event.operation()).isEqualTo(Envelope.Operation.CREATE);
        assertThat(event.payload().has("schema")).isFalse();
        assertThat(event.after().get("id").asInt()).isEqualTo(7);
    }

    @Test
    void shouldKeepAnEnvelopeThatMerelyHasAFieldNamedSchema() throws IOException {
        ChangeEvent event = parse("{\"schema\":\"x\",\"payload\":\"y\",\"op\":\"c\"}");

        assertThat(event.payload().get("schema").asText()).isEqualTo("x");
    }

    @Test
    void shouldFailClearlyOnNonJson() {
        assertThatThrownBy(() -> parse("hello, not json")).isInstanceOf(JacksonException.class)
                .hasMessageContaining("Unrecognized token 'hello'");
    }

    @Test
    void shouldFailClearlyOnTruncatedJson() {
        assertThatThrownBy(() -> parse("{\"op\":\"c\",\"after\":{\"id\":")).isInstanceOf(JacksonException.class)
                .hasMessageContaining("end-of-input");
    }

    @Test
    void shouldRejectValuesThatAreNotObjects() {
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(InvalidChangeEventException.class)
                .hasMessageContaining("a JSON array");
        assertThatThrownBy(() -> parse("42")).isInstanceOf(InvalidChangeEventException.class)
                .hasMessageContaining("a JSON number");
    }

    @Test
    void shouldRejectAnUnknownOperationNamingIt() {
        assertThatThrownBy(() -> parse("{\"op\":\"x\"}")).isInstanceOf(InvalidChangeEventException.class)
                .hasMessageContaining("unknown Debezium operation \"op\": \"x\"");
    }

    @Test
    void shouldRejectAnEnvelopeWithoutOperation() {
        assertThatThrownBy(() -> parse("{\"after\":{\"id\":1}}")).isInstanceOf(InvalidChangeEventException.class)
                .hasMessageContaining("no \"op\"");
    }

    @Test
    void shouldReadEveryDebeziumOperationCode() throws IOException {
        assertThat(parse("{\"op\":\"r\"}").operation()).isEqualTo(Envelope.Operation.READ);
        assertThat(parse("{\"op\":\"d\"}").operation()).isEqualTo(Envelope.Operation.DELETE);
        assertThat(parse("{\"op\":\"t\"}").operation()).isEqualTo(Envelope.Operation.TRUNCATE);
        assertThat(parse("{\"op\":\"m\"}").operation()).isEqualTo(Envelope.Operation.MESSAGE);
    }
}
