package io.cdccamel.live;

import io.cdccamel.KafkaAdmins;
import io.cdccamel.connect.ConnectApi;
import io.cdccamel.connect.ConnectorDefinition;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.DeadLetterSettings;
import io.cdccamel.settings.LiveSettings;
import io.cdccamel.settings.PostgresSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The live view's routes (Camel Main adds the route builders it finds bound), and the snapshot's row estimates. */
@Configuration
public class LiveConfiguration implements CamelConfiguration {

    @BindToRegistry
    public LiveViewRoutes liveViewRoutes(CamelContext camel, ConnectorDefinition definition, KafkaAdmins admins,
                                         LiveSettings live, ConsumerSettings consumer, DeadLetterSettings deadLetters,
                                         StackModeSettings stack, ApiSettings api) {
        return new LiveViewRoutes(new ConnectApi(camel, definition), admins, live, consumer, deadLetters, stack, api);
    }

    /** The snapshot's progress (on the page, in the API) is measured against each table's rows, estimated in the source database. */
    @Override
    public void configure(CamelContext camel) {
        StreamingWatch watch = camel.getRegistry().lookupByNameAndType(StreamingWatch.BEAN, StreamingWatch.class);
        PostgresSettings postgres = camel.getRegistry().lookupByNameAndType("postgresSettings", PostgresSettings.class);
        watch.progress().estimateRowsWith(PgRowEstimates.from(postgres));
    }
}
