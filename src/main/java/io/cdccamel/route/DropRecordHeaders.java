package io.cdccamel.route;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The consumer's header filter: no Kafka record header becomes a Camel header, so a record cannot
 * steer the route (a header named {@code CamelFileName}, in any case, would choose the output
 * file). The consumer's own headers ({@code KafkaConstants}: topic, partition, offset, key) are set by
 * Camel, not through this filter.
 */
public class DropRecordHeaders implements HeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
