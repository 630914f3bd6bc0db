package io.cdccamel.stack;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kafka's servers end the process on a fatal fault ({@code Exit.halt(1)} after logging
 * "Encountered fatal fault"). In one JVM with Connect and the routes, that would end the whole
 * application: here the fault stays with the node that had it, loudly, and the cluster of three
 * brokers goes on (replication factor 3, min.insync.replicas 2).
 */
final class KafkaFaults {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFaults.class);

    private static final AtomicInteger REFUSED = new AtomicInteger();

    private KafkaFaults() {
    }

    /** How many times a Kafka node asked to end the JVM since it started. */
    static int refused() {
        return REFUSED.get();
    }

    static synchronized void install() {
        Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
    }

    private static void refuse(String what, int status, String message) {
        REFUSED.incrementAndGet();
        LOG.error("A Kafka node asked to {} the JVM (status {}{}) after the fault logged before this line; the"
                + " application goes on without that node: see data/logs/cdc-camel.log", what, status,
                message == null ? "" : ", " + message);
    }
}
