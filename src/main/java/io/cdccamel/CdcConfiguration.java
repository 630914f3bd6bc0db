package io.cdccamel;

import io.cdccamel.base.AtStart;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;
import io.cdccamel.kafka.ClusterIds;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.KafkaClientSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * What every feature shares: the exact JSON mapper, the Kafka clients' settings, and the binding of
 * every feature's meters. Each feature's beans and routes are declared by its own package's
 * configuration class ({@link CdcApplication#addConfigurations}): a bean's dependencies are its
 * {@code @BindToRegistry} method's parameters; a route is a bound {@code RouteBuilder} (Camel Main adds
 * those it finds bound) or a YAML file under {@code routes/}; a health check is a bound
 * {@code HealthCheck} (Camel's health registry includes those it finds bound); meters are a bound
 * Micrometer {@link MeterBinder}, bound here to the Prometheus registry once Camel starts.
 */
@Configuration
public class CdcConfiguration implements CamelConfiguration {

    /** The mapper that keeps numbers exact (camel-jackson's data format uses it too). */
    @BindToRegistry("exactJson")
    public ObjectMapper exactJson() {
        return ExactJson.newObjectMapper();
    }

    private KafkaClientSettings clientSettings;

    /** {@code cdc.kafka.client.*}: what every Kafka client of the app takes (a secured cluster's settings). */
    @BindToRegistry
    public KafkaClientSettings kafkaClientSettings(CamelContext camel) {
        KafkaClientSettings settings = SettingsReader.read(camel, KafkaClientSettings::read);
        if (!settings.isEmpty()) {
            LoggerFactory.getLogger(CdcApplication.class).info("Kafka clients' settings from {}*: {}",
                    KafkaClientSettings.PREFIX, settings);
        }
        clientSettings = settings;
        return settings;
    }

    /** The one maker of Kafka admin clients, with {@code cdc.kafka.client.*}; holds no client. */
    @BindToRegistry
    public KafkaAdmins kafkaAdmins(StackModeSettings stack, KafkaClientSettings clientSettings) {
        return new KafkaAdmins(stack.brokers(), clientSettings);
    }

    /** The cluster's and the topics' ids, which the print route checks a partition's output against. */
    @BindToRegistry(lazy = true, destroyMethod = "close")
    public ClusterIds clusterIds(KafkaAdmins kafkaAdmins) {
        return new ClusterIds(kafkaAdmins);
    }

    /** The Kafka component's clients (the print route, the dead letters) take {@code cdc.kafka.client.*} too. */
    @Override
    public void configure(CamelContext camel) throws Exception {
        KafkaComponent kafka = camel.getComponent("kafka", KafkaComponent.class);
        // the operating system sizes the sockets' buffers, as for the brokers, Connect and the live view
        // (stack/RecordLimits#keepNoLargeSocketBuffers says why): with camel-kafka's 64 KB a 100 MB change event
        // took thousands of reads, each through a temporary direct buffer as large as what remained of it, and
        // the route's fetch of it timed out every 30 s without end (BigRowsIT, a clean-clone run on 2 cores)
        kafka.getConfiguration().setReceiveBufferBytes(-1);
        kafka.getConfiguration().setSendBufferBytes(-1);
        Map<String, Object> additional = new HashMap<>(kafka.getConfiguration().getAdditionalProperties() == null ? Map.of()
                : kafka.getConfiguration().getAdditionalProperties());
        additional.putAll(clientSettings.asMap());
        kafka.getConfiguration().setAdditionalProperties(additional);
        // camel-micrometer-prometheus binds its registry as Camel starts: the features' meters join it then
        camel.addStartupListener(AtStart.once(started -> bindMeters(started)));
    }

    /** Every bound {@link MeterBinder} to the Micrometer registry ({@code /observe/metrics}), once. */
    static void bindMeters(CamelContext camel) {
        MeterRegistry registry = camel.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            LoggerFactory.getLogger(CdcApplication.class).warn("No Micrometer registry: the app's own meters are not in "
                    + "/observe/metrics");
            return;
        }
        for (MeterBinder meters : camel.getRegistry().findByType(MeterBinder.class)) {
            meters.bindTo(registry);
        }
    }
}
