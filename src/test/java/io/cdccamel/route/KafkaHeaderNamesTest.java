package io.cdccamel.route;

import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka header names a user reads in the YAML route and in docs/route.md are the ones the
 * pinned camel-kafka sets: Camel renamed them ({@code kafka.OFFSET} in 4.18.0, {@code CamelKafkaOffset}
 * in 4.22.0), and a stale name gives an empty value, silently.
 */
class KafkaHeaderNamesTest {

    private static final Pattern HEADER_NAME = Pattern.compile("\\b(CamelKafka[A-Z]\\w*|kafka\\.[A-Z][A-Z_]*)\\b");

    private static Set<String> kafkaConstants() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : KafkaConstants.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    private static Set<String> namesIn(String file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = HEADER_NAME.matcher(Files.readString(Path.of(file)));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void shouldNameOnlyHeadersThePinnedCamelKafkaSets() throws Exception {
        Set<String> known = kafkaConstants();
        Set<String> named = new TreeSet<>(namesIn("routes/print-change-events.camel.yaml"));
        named.addAll(namesIn("docs/route.md"));

        assertThat(named).as("Kafka header names in the route and docs/route.md")
                .contains(KafkaConstants.TOPIC, KafkaConstants.PARTITION, KafkaConstants.OFFSET, KafkaConstants.KEY);
        assertThat(known).as("the headers camel-kafka sets").containsAll(named);
    }

    @Test
    void shouldReadTheOffsetHeaderAsTheDocsWriteIt() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            DefaultExchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setHeader(KafkaConstants.OFFSET, 42L);

            String docs = Files.readString(Path.of("docs/route.md"));
            Matcher example = Pattern.compile("insert at offset (\\$\\{header\\.[^}]+})").matcher(docs);
            assertThat(example.find()).as("docs/route.md's example step").isTrue();

            assertThat(camel.resolveLanguage("simple").createExpression(example.group(1)).evaluate(exchange, String.class))
                    .isEqualTo("42");
        }
    }
}
