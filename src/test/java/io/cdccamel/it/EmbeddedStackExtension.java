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
            stack = LocalStack.start(StackSettings.randomPorts(Path.of("target", "it-stack")));
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
