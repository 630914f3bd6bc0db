package io.cdccamel.live;

import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.connect.ConnectApi;
import io.cdccamel.connect.ConnectorDefinition;
import org.apache.camel.CamelContext;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;

/** The live view's routes (Camel Main adds the route builders it finds bound). */
@Configuration
public class LiveConfiguration implements CamelConfiguration {

    @BindToRegistry
    public LiveViewRoutes liveViewRoutes(CamelContext camel, ConnectorDefinition definition, KafkaAdmins admins) {
        return new LiveViewRoutes(new ConnectApi(camel, definition), admins);
    }
}
