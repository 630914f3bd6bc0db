package io.cdccamel.it;

import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.StackSettings;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/**
 * One real embedded stack (PostgreSQL, 3 Kafka brokers + controller, Connect) per test JVM, on
 * random free ports, started by the first test class that asks and stopped when the JVM's tests end.
 */
public final class EmbeddedStackExtension implements BeforeAllCallback {

    private static volatile LocalStack stack;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(EmbeddedStackExtension.class, key -> start(), StackResource.class);
    }

    private static StackResource start() {
        try {
            Path dir = Path.of("target", "it-stack");
            // a fresh database per test JVM: no slot or publication of an earlier run in the way
            if (java.nio.file.Files.exists(dir)) {
                try (var paths = java.nio.file.Files.walk(dir)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        java.nio.file.Files.delete(p);
                    }
                }
            }
            // the brokers also listen with SASL/SCRAM (KafkaScramIT runs the app against that listener)
            stack = LocalStack.start(StackSettings.randomPorts(dir).withScramListener());
            return new StackResource(stack);
        } catch (Exception e) {
            throw new IllegalStateException("The embedded stack did not start", e);
        }
    }

    public static LocalStack stack() {
        if (stack == null) {
            throw new IllegalStateException("Annotate the test class with @ExtendWith(EmbeddedStackExtension.class)");
        }
        return stack;
    }

    @SuppressWarnings("deprecation") // CloseableResource: the store's close hook on every JUnit 5 version
    record StackResource(LocalStack stack) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            stack.close();
        }
    }
}
