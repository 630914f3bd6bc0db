package io.cdccamel.stack;

import io.cdccamel.settings.Hermetic;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The embedded Connect worker's {@code env} config provider: {@code ${env:NAME}} resolves from the
 * process environment, as Kafka's EnvVarConfigProvider does, and falls back to the secrets file
 * the embedded stack keeps under its data folder. So {@code debezium_connect.json} holds a
 * reference, never a password, and reads the same in embedded mode and in docker-compose. A JVM
 * that ignores the environment ({@link Hermetic}: the build's training run, the tests) reads the
 * secrets file only.
 */
public class EmbeddedSecretsProvider implements ConfigProvider {

    /** Worker setting {@code config.providers.env.param.secrets.file}. */
    public static final String SECRETS_FILE = "secrets.file";
    /**
     * Worker setting {@code config.providers.env.param.allowlist.pattern}, as Kafka's
     * {@code EnvVarConfigProvider} names it: the names that may be read. Without it a connector
     * config could read any variable of the app's environment ({@code ${env:AWS_SECRET_ACCESS_KEY}})
     * into a place it can send it; the default allows the app's own {@code CDC_*} names only.
     */
    public static final String ALLOWLIST_PATTERN = "allowlist.pattern";
    public static final String DEFAULT_ALLOWLIST = "CDC_[A-Z0-9_]*";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSecretsProvider.class);

    private Path secretsFile;
    private Pattern allowlist = Pattern.compile(DEFAULT_ALLOWLIST);

    @Override
    public void configure(Map<String, ?> configs) {
        Object file = configs.get(SECRETS_FILE);
        secretsFile = file == null ? null : Path.of(file.toString());
        Object pattern = configs.get(ALLOWLIST_PATTERN);
        if (pattern != null && !pattern.toString().isBlank()) {
            allowlist = Pattern.compile(pattern.toString().trim());
        }
    }

    @Override
    public ConfigData get(String path) {
        return new ConfigData(Map.of());
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        Properties secrets = readSecrets();
        Map<String, String> values = new HashMap<>();
        for (String key : keys) {
            if (!allowlist.matcher(key).matches()) {
                LOG.warn("${env:{}} is not resolved: the name does not match {} ({})", key, allowlist.pattern(),
                        "config.providers.env.param." + ALLOWLIST_PATTERN);
                continue;
            }
            String value = Hermetic.getenv(key);
            if (value == null) {
                value = secrets.getProperty(key);
            }
            if (value != null) {
                values.put(key, value);
            }
        }
        return new ConfigData(values);
    }

    private Properties readSecrets() {
        Properties secrets = new Properties();
        if (secretsFile != null && Files.exists(secretsFile)) {
            try (InputStream in = Files.newInputStream(secretsFile)) {
                secrets.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + secretsFile, e);
            }
        }
        return secrets;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
