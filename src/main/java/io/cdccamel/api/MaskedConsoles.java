package io.cdccamel.api;

import io.cdccamel.settings.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.console.DevConsole;
import org.apache.camel.console.DevConsoleRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Camel's dev console with the app's secrets masked in every console's answer, text and JSON.
 * Camel masks a setting by its key's last segment ({@code ...password}, {@code ...token}), which
 * misses {@code cdc.kafka.client.sasl.jaas.config} and {@code cdc.connect.worker.*.sasl.jaas.config},
 * and a secret may show in other consoles than {@code properties} (beans, endpoints, system
 * properties). So the values of every setting whose key contains {@code password}, {@code secret},
 * {@code jaas} or {@code token} ({@link Secrets}), and the passwords inside JAAS lines, are replaced
 * by {@value Secrets#MASK} wherever they appear, whatever the console.
 */
public final class MaskedConsoles {

    private static final Pattern JAAS_PASSWORD = Pattern.compile("password\\s*=\\s*\"([^\"]+)\"");
    /** Shorter values are not masked as text: "no", "1" would blank unrelated output. */
    private static final int MIN_SECRET_LENGTH = 4;

    private MaskedConsoles() {
    }

    /** Wraps every console of the registry (called once they are loaded: Camel fully started). */
    public static void wrapAll(CamelContext camel) {
        DevConsoleRegistry registry = camel.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
        if (registry == null) {
            return;
        }
        List<String> secrets = secretValues(camel);
        for (DevConsole console : registry.stream().filter(c -> !(c instanceof Masked)).toList()) {
            registry.unregister(console);
            registry.register(new Masked(console, secrets));
        }
    }

    /** The values to hide, longest first (a value that contains another is replaced whole). */
    static List<String> secretValues(CamelContext camel) {
        Set<String> values = new LinkedHashSet<>();
        Properties settings = camel.getPropertiesComponent().loadProperties();
        for (String key : settings.stringPropertyNames()) {
            if (Secrets.isSecret(key)) {
                camel.getPropertiesComponent().resolveProperty(key).ifPresent(values::add);
                values.add(settings.getProperty(key));
            }
        }
        System.getProperties().stringPropertyNames().stream().filter(Secrets::isSecret)
                .forEach(k -> values.add(System.getProperty(k)));
        System.getenv().forEach((k, v) -> {
            if (Secrets.isSecret(k)) {
                values.add(v);
            }
        });
        Set<String> all = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null) {
                continue;
            }
            all.add(v.trim());
            Matcher m = JAAS_PASSWORD.matcher(v);
            while (m.find()) {
                all.add(m.group(1));
            }
        }
        List<String> sorted = new ArrayList<>(all.stream().filter(v -> v.length() >= MIN_SECRET_LENGTH).toList());
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return List.copyOf(sorted);
    }

    /** {@code value} with every secret replaced, recursively through Camel's JSON maps and lists. */
    @SuppressWarnings("unchecked")
    static Object mask(Object value, List<String> secrets) {
        if (value instanceof String text) {
            String out = text;
            for (String secret : secrets) {
                out = out.replace(secret, Secrets.MASK);
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> m = (Map<Object, Object>) map;
            boolean secretEntry = m.get("key") instanceof String k && Secrets.isSecret(k);
            for (Map.Entry<Object, Object> e : m.entrySet()) {
                Object v = e.getValue();
                boolean secretKey = e.getKey() instanceof String k && Secrets.isSecret(k);
                if (v instanceof String && (secretKey || (secretEntry && "value".equals(e.getKey())))) {
                    e.setValue(Secrets.MASK);
                } else {
                    e.setValue(mask(v, secrets));
                }
            }
            return map;
        }
        if (value instanceof List<?> list) {
            List<Object> l = (List<Object>) list;
            l.replaceAll(item -> mask(item, secrets));
            return list;
        }
        return value;
    }

    /** One console, its answers masked. */
    static final class Masked implements DevConsole {
        private final DevConsole console;
        private final List<String> secrets;

        Masked(DevConsole console, List<String> secrets) {
            this.console = console;
            this.secrets = secrets;
        }

        @Override
        public String getGroup() {
            return console.getGroup();
        }

        @Override
        public String getId() {
            return console.getId();
        }

        @Override
        public String getDisplayName() {
            return console.getDisplayName();
        }

        @Override
        public String getDescription() {
            return console.getDescription();
        }

        @Override
        public boolean supportMediaType(MediaType mediaType) {
            return console.supportMediaType(mediaType);
        }

        @Override
        public Object call(MediaType mediaType, Map<String, Object> options) {
            return mask(console.call(mediaType, options), secrets);
        }
    }
}
