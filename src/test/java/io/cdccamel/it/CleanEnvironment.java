package io.cdccamel.it;

import java.util.Set;

/**
 * The environment of a process an IT starts (the app, the README's Maven command), without what
 * the user's shell may hold for the app: {@code CDC_*} and {@code CAMEL_*} settings, and JVM options
 * ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}) that could carry
 * {@code -D} settings. A test then runs the app with exactly the settings it gives.
 */
final class CleanEnvironment {

    private static final Set<String> JVM_OPTIONS = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private CleanEnvironment() {
    }

    /** {@code builder}, its environment cleaned. */
    static ProcessBuilder of(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(name -> name.startsWith("CDC_") || name.startsWith("CAMEL_")
                || JVM_OPTIONS.contains(name));
        return builder;
    }
}
