package io.cdccamel.live;

import io.cdccamel.connect.ConnectApi;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ChartSettings;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.DeadLetterSettings;
import io.cdccamel.settings.LiveSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The live view's routes (Camel Main adds the route builders it finds bound). */
@Configuration
public class LiveConfiguration implements CamelConfiguration {

    /** @param durableCommits the print route's output (package route): the page shows what its steps filtered */
    @BindToRegistry
    public LiveViewRoutes liveViewRoutes(CamelContext camel, ConnectorDefinition definition, KafkaAdmins admins,
                                         LiveSettings live, ConsumerSettings consumer, DeadLetterSettings deadLetters,
                                         StackModeSettings stack, ApiSettings api, ChartSettings charts,
                                         DurableCommits durableCommits) {
        return new LiveViewRoutes(new ConnectApi(camel, definition), admins, live, consumer, deadLetters, stack, api,
                charts, durableCommits::filteredCount);
    }
}
