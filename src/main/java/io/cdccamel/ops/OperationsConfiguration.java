package io.cdccamel.ops;

import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.settings.ConnectSettings;
import io.cdccamel.settings.DeadLetterSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** The Kafka topic admin and the operations API on it; the dead letters' topic, created at start. */
@Configuration
public class OperationsConfiguration implements CamelConfiguration {

    @BindToRegistry(destroyMethod = "close")
    public KafkaTopics kafkaTopics(ConnectSettings connect, DeadLetterSettings deadLetters, KafkaAdmins admins) {
        List<String> internal = new ArrayList<>(connect.internalTopics());
        internal.add(ConnectSettings.REGISTRATIONS_TOPIC);
        internal.add(deadLetters.topic());
        KafkaTopics topics = new KafkaTopics(admins, internal);
        if (deadLetters.toKafka()) {
            try {
                // Kafka does not create topics on demand here: the dead letters' topic must exist first
                topics.ensure(deadLetters.topic());
            } catch (Exception e) {
                LoggerFactory.getLogger(OperationsConfiguration.class)
                        .warn("Could not create the dead-letter topic {} yet: {}", deadLetters.topic(), e.getMessage());
            }
        }
        return topics;
    }

    @BindToRegistry(lazy = true)
    public OperationsApiRoutes operationsApiRoutes(KafkaTopics kafkaTopics, BrokerControl brokerControl) {
        return new OperationsApiRoutes(kafkaTopics, brokerControl);
    }
}
