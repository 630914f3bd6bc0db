package io.cdccamel.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's id and its topics' ids: what says that a partition is the one the output was
 * written from (a cluster or a topic made again numbers its offsets from 0 again). One admin client,
 * made at the first call, closed with the bean.
 */
public final class ClusterIds implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 10;

    private final KafkaAdmins admins;
    private Admin admin;

    public ClusterIds(KafkaAdmins admins) {
        this.admins = admins;
    }

    /** The id of the cluster the brokers belong to. */
    public String clusterId() throws Exception {
        return await(admin().describeCluster().clusterId());
    }

    /** Each topic's id (a topic deleted and created again has a new one). */
    public Map<String, String> topicIds(Collection<String> topics) throws Exception {
        Map<String, String> ids = new TreeMap<>();
        await(admin().describeTopics(topics).allTopicNames()).forEach((name, d) -> ids.put(name, d.topicId().toString()));
        return ids;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = admins.create("cdc-camel-ids", Duration.ofSeconds(TIMEOUT_SECONDS / 2), Duration.ofSeconds(TIMEOUT_SECONDS));
        }
        return admin;
    }

    private <T> T await(KafkaFuture<T> future) throws Exception {
        return admins.await(future, TIMEOUT_SECONDS);
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
