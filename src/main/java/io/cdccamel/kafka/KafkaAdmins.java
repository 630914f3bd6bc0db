package io.cdccamel.kafka;

import io.cdccamel.settings.KafkaClientSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The app's one way to make a Kafka {@link Admin} client: the cluster's address and
 * {@code cdc.kafka.client.*} ({@link KafkaClientSettings}) are applied here, so no admin is left on
 * PLAINTEXT against a secured cluster. Holds no client itself: each user owns and closes its own.
 */
public final class KafkaAdmins {

    private final String bootstrapServers;
    private final KafkaClientSettings settings;

    public KafkaAdmins(String bootstrapServers, KafkaClientSettings settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
    }

    /** Kafka's default timeouts. */
    public Admin create(String clientId) {
        return create(clientId, Map.of());
    }

    /**
     * @param requestTimeout one request to one broker ({@code request.timeout.ms})
     * @param apiTimeout     one call, its retries included ({@code default.api.timeout.ms})
     */
    public Admin create(String clientId, Duration requestTimeout, Duration apiTimeout) {
        return create(clientId, Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) apiTimeout.toMillis()));
    }

    private Admin create(String clientId, Map<String, Object> own) {
        Map<String, Object> base = new HashMap<>(own);
        base.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        base.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return Admin.create(settings.over(base));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public KafkaClientSettings settings() {
        return settings;
    }

    /**
     * Creates {@code topic} with {@code partitions}, replicated as widely as the cluster allows (3 at
     * most); a topic that exists already (another instance made it meanwhile) is left as it is.
     */
    public static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
        int brokers = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions,
                    (short) Math.min(3, brokers)).configs(configs))).all().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /**
     * An admin call's answer within {@code seconds}: the call's own exception unwrapped, a timeout
     * naming the cluster's address.
     */
    public <T> T await(KafkaFuture<T> future, long seconds) throws Exception {
        try {
            return future.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new TimeoutException("Kafka at " + bootstrapServers + " did not answer within " + seconds + " s");
        }
    }
}
