package io.cdccamel.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.WrittenPositions;
import io.cdccamel.stack.StackStartException;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.jackson.JacksonDataFormat;

/**
 * Route {@code print-change-events}'s Java side: its read and write steps ({@link PrintRouteSteps})
 * and the check of its consumer's options ({@link ConsumerGuarantees}). The route itself, with its
 * consumer's options, is {@code routes/print-change-events.camel.yaml}.
 */
@Configuration
public class PrintRouteConfiguration implements CamelConfiguration {

    /** The YAML's {@code maxPollRecords}: typed and checked here, so that a bad value is one line. */
    @PropertyInject("cdc.consumer.batch.size")
    int batchSize;
    /** The YAML's {@code pollTimeoutMs} and {@code batchingIntervalMs}. */
    @PropertyInject("cdc.consumer.batch.wait.ms")
    int batchWaitMillis;
    @PropertyInject("cdc.dead-letter.endpoint")
    String deadLetterEndpoint;

    /** The mapper that keeps numbers exact. */
    @BeanInject("exactJson")
    ObjectMapper exactJson;
    @BeanInject
    WrittenPositions written;
    @BeanInject
    DurableCommits commits;

    @Override
    public void configure(CamelContext camel) throws Exception {
        if (batchSize < 1) {
            throw new StackStartException("cdc.consumer.batch.size must be at least 1, not " + batchSize);
        }
        if (batchWaitMillis < 0) {
            throw new StackStartException("cdc.consumer.batch.wait.ms must be 0 or more, not " + batchWaitMillis);
        }
        camel.addLifecycleStrategy(new ConsumerGuarantees());
        JacksonDataFormat json = new JacksonDataFormat(exactJson, JsonNode.class);
        json.setCamelContext(camel);
        camel.addService(json, true);
        DeadLetters deadLetters = new DeadLetters(camel.createProducerTemplate(), deadLetterEndpoint);
        camel.addRoutes(new PrintRouteSteps(new ReadChangeEvents(json, written), new WriteChangeEvents(deadLetters, commits)));
    }
}
