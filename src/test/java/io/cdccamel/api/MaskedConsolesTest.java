package io.cdccamel.api;

import io.cdccamel.settings.Secrets;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MaskedConsolesTest {

    private static final List<String> SECRETS = List.of("jaas-line-with-s3cret-inside", "s3cret");

    @Test
    void shouldMaskSecretsInTextWhereverTheyAre() {
        assertThat(MaskedConsoles.mask("a = jaas-line-with-s3cret-inside\nb = s3cret and more", SECRETS))
                .isEqualTo("a = " + Secrets.MASK + "\nb = " + Secrets.MASK + " and more");
    }

    @Test
    void shouldMaskSecretKeysAndValuesInJson() {
        JsonObject property = new JsonObject();
        property.put("key", "cdc.kafka.client.sasl.jaas.config");
        property.put("value", "anything at all");
        JsonObject other = new JsonObject();
        other.put("key", "cdc.topics");
        other.put("value", "see s3cret here");
        JsonObject root = new JsonObject();
        root.put("properties", new JsonArray(List.of(property, other)));
        root.put("ssl.keystore.password", "pw");
        MaskedConsoles.mask(root, SECRETS);
        assertThat(property.get("value")).isEqualTo(Secrets.MASK);
        assertThat(other.get("value")).isEqualTo("see " + Secrets.MASK + " here");
        assertThat(root.get("ssl.keystore.password")).isEqualTo(Secrets.MASK);
        assertThat(other.get("key")).isEqualTo("cdc.topics");
    }
}
