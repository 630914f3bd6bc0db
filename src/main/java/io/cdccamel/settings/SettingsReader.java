package io.cdccamel.settings;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads the app's settings into typed values and notes every bad one (its name, its value, what is
 * allowed) instead of stopping at the first: {@link #check()} then fails with one line per bad value.
 * A setting that is not set at all takes the default given here, the one
 * {@code application.properties} and docs/configuration.md give.
 */
public final class SettingsReader {

    private final PropertiesComponent pc;
    private final Function<String, Optional<String>> resolve;
    private final List<String> problems = new ArrayList<>();
    /** Each key asked for, with the default it was asked with (the first one). */
    private final Map<String, String> asked = new LinkedHashMap<>();

    public SettingsReader(PropertiesComponent pc) {
        this.pc = pc;
        this.resolve = pc::resolveProperty;
    }

    private SettingsReader(PropertiesComponent pc, Function<String, Optional<String>> resolve) {
        this.pc = pc;
        this.resolve = resolve;
    }

    /** A reader of no settings at all, which records each key and its default as the records ask. */
    static SettingsReader recordingDefaults() {
        return new SettingsReader(null, key -> Optional.empty());
    }

    /**
     * A reader of {@code pc}'s settings that records each key with its default as the records ask:
     * a default made of other settings ({@code cdc.live.group} of {@code cdc.consumer.group}) is
     * worked out from their values in {@code pc}.
     */
    static SettingsReader recordingDefaults(PropertiesComponent pc) {
        return recordingDefaults(pc::resolveProperty);
    }

    /** As above, over {@code resolve}; no pass-through prefixes (they have no defaults). */
    static SettingsReader recordingDefaults(Function<String, Optional<String>> resolve) {
        return new SettingsReader(null, resolve);
    }

    /** The keys read so far, each with its default as the record gives it. */
    Map<String, String> defaults() {
        return asked;
    }

    /** {@code read(settings)} of the context's settings, checked: what a configuration class binds. */
    public static <T> T read(CamelContext camel, Function<SettingsReader, T> read) {
        SettingsReader settings = new SettingsReader(camel.getPropertiesComponent());
        T value = read.apply(settings);
        settings.check();
        return value;
    }

    /** The value, trimmed; {@code fallback} when it is not set. */
    public String text(String key, String fallback) {
        asked.putIfAbsent(key, fallback);
        return resolve.apply(key).map(String::trim).orElse(fallback);
    }

    /** As {@link #text}, and a problem ("{@code <key> <must>, not ''}") when the value is empty. */
    public String required(String key, String fallback, String must) {
        String value = text(key, fallback);
        if (value.isEmpty()) {
            problem(key + " " + must + ", not ''");
        }
        return value;
    }

    /** The value as given (a password's spaces are its own); {@code fallback} when it is not set. */
    public String secret(String key, String fallback) {
        asked.putIfAbsent(key, fallback);
        return resolve.apply(key).orElse(fallback);
    }

    public boolean flag(String key, boolean fallback) {
        String value = text(key, Boolean.toString(fallback));
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        problems.add(key + " must be true or false, not '" + value + "'");
        return fallback;
    }

    /** A whole number of at least {@code min}. */
    public long whole(String key, long fallback, long min) {
        String value = text(key, Long.toString(fallback));
        try {
            long number = Long.parseLong(value);
            if (number >= min) {
                return number;
            }
        } catch (NumberFormatException e) {
            // noted below
        }
        problems.add(key + " must be a whole number" + (min == Long.MIN_VALUE ? "" : " of at least " + min)
                + ", not '" + value + "'");
        return fallback;
    }

    /** A whole number of at least {@code min} that fits an int. */
    public int number(String key, int fallback, int min) {
        long value = whole(key, fallback, min);
        if (value > Integer.MAX_VALUE) {
            problems.add(key + " must be a whole number from " + min + " to " + Integer.MAX_VALUE + ", not '" + value + "'");
            return fallback;
        }
        return (int) value;
    }

    /** A port: 0 (any free one) to 65535. */
    public int port(String key, int fallback) {
        String value = text(key, Integer.toString(fallback));
        return portOf(key, value, fallback);
    }

    /** Ports, comma-separated, {@code count} of them. */
    public List<Integer> ports(String key, String fallback, int count) {
        String value = text(key, fallback);
        List<String> parts = Arrays.stream(value.split(",")).map(String::trim).toList();
        if (parts.size() != count) {
            problems.add(key + " must list " + count + " ports, comma-separated, not '" + value + "'");
            return Arrays.stream(fallback.split(",")).map(String::trim).map(Integer::parseInt).toList();
        }
        return parts.stream().map(p -> portOf(key, p, 0)).toList();
    }

    private int portOf(String key, String value, int fallback) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // noted below
        }
        problems.add(key + " must be a port number from 0 (any free port) to 65535, not '" + value + "'");
        return fallback;
    }

    /** One of {@code allowed} (any case), as written in {@code allowed}. */
    public String choice(String key, String fallback, String... allowed) {
        String value = text(key, fallback);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        problems.add(key + " must be '" + String.join("' or '", allowed) + "', not '" + value + "'");
        return fallback;
    }

    /** A comma-separated list, blanks left out. */
    public List<String> list(String key, String fallback) {
        return Arrays.stream(text(key, fallback).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Every {@code <prefix><key>} setting (from the properties files, -D, an override or an
     * environment variable), keyed by {@code <key>}, with the value that wins: how
     * {@code cdc.kafka.client.*}, {@code cdc.connector.config.*} and {@code cdc.connect.worker.*} pass
     * settings through. An environment variable names a key with {@link #keyOfVariable}'s rule
     * ({@code CDC_KAFKA_CLIENT_SECURITY_PROTOCOL} is {@code cdc.kafka.client.security.protocol}).
     */
    public Map<String, String> withPrefix(String prefix) {
        return pc == null ? Map.of() : withPrefix(pc, prefix);
    }

    /** {@link #withPrefix(String)} of {@code pc}, with this process's environment unless {@code pc} reads none. */
    public static Map<String, String> withPrefix(PropertiesComponent pc, String prefix) {
        return withPrefix(pc, prefix, environmentMode(pc) == NEVER ? Map.of() : System.getenv());
    }

    /**
     * {@link #withPrefix(PropertiesComponent, String)} with {@code environment} for the process's
     * variables. Camel's order holds for every key: an override property (what the launcher sets)
     * first, then, in Camel's default environment mode (override), the variable, then -D, then the
     * files; in the fallback mode the variable comes last.
     */
    static Map<String, String> withPrefix(PropertiesComponent pc, String prefix, Map<String, String> environment) {
        Set<String> keys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(prefix)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        int mode = environmentMode(pc);
        Map<String, String> variables = new TreeMap<>();
        if (mode != NEVER) {
            String variablePrefix = variableOf(prefix);
            environment.forEach((name, value) -> {
                if (name.startsWith(variablePrefix) && name.length() > variablePrefix.length()) {
                    variables.put(prefix + keyOfVariable(name.substring(variablePrefix.length())), value);
                }
            });
        }
        keys.addAll(variables.keySet());
        Properties overrides = pc instanceof org.apache.camel.component.properties.PropertiesComponent camelPc
                && camelPc.getOverrideProperties() != null ? camelPc.getOverrideProperties() : new Properties();
        Map<String, String> values = new TreeMap<>();
        for (String key : keys) {
            String variable = variables.get(key);
            String value;
            if (variable != null && overrides.getProperty(key) == null && mode == OVERRIDE) {
                value = variable;
            } else {
                value = pc.resolveProperty(key).orElse(variable);
            }
            if (value != null) {
                values.put(key.substring(prefix.length()), value);
            }
        }
        return values;
    }

    private static final int NEVER = org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER;
    private static final int OVERRIDE = org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_OVERRIDE;

    private static int environmentMode(PropertiesComponent pc) {
        return pc instanceof org.apache.camel.component.properties.PropertiesComponent camelPc
                ? camelPc.getEnvironmentVariableMode() : OVERRIDE;
    }

    /** {@code cdc.kafka.client.} as a variable's start: {@code CDC_KAFKA_CLIENT_}. */
    static String variableOf(String prefix) {
        return prefix.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The key a variable's rest names, by the rule of Confluent's Kafka images: lower case,
     * {@code ___} a dash, {@code __} an underscore, {@code _} a dot ({@code SASL_JAAS_CONFIG} is
     * {@code sasl.jaas.config}, {@code SNAPSHOT__MODE} {@code snapshot_mode}). A key with capitals (a
     * transform's name) cannot be written as a variable: set it with -D or in a properties file.
     */
    static String keyOfVariable(String rest) {
        String lower = rest.toLowerCase(Locale.ROOT);
        StringBuilder key = new StringBuilder(lower.length());
        int i = 0;
        while (i < lower.length()) {
            if (lower.startsWith("___", i)) {
                key.append('-');
                i += 3;
            } else if (lower.startsWith("__", i)) {
                key.append('_');
                i += 2;
            } else {
                key.append(lower.charAt(i) == '_' ? '.' : lower.charAt(i));
                i++;
            }
        }
        return key.toString();
    }

    /** A bad value found by a caller's own rule. */
    public void problem(String line) {
        problems.add(line);
    }

    /** One line per bad value, in the order read. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Fails with every bad value read so far, one line each. */
    public void check() {
        if (!problems.isEmpty()) {
            throw new BadSettingsException(problems);
        }
    }
}
