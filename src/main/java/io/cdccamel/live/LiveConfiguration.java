package io.cdccamel.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.capture.CaptureViews;
import io.cdccamel.connect.ConnectApi;
import io.cdccamel.connect.StreamingWatch;
import io.cdccamel.ops.BrokerControl;
import io.cdccamel.kafka.KafkaAdmins;
import io.cdccamel.route.DurableCommits;
import io.cdccamel.route.StepFailures;
import io.cdccamel.settings.ApiSettings;
import io.cdccamel.settings.ChartSettings;
import io.cdccamel.settings.ConsumerSettings;
import io.cdccamel.settings.DeadLetterSettings;
import io.cdccamel.settings.LiveSettings;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;

/** The live view's routes (Camel Main adds the route builders it finds bound). */
@Configuration
public class LiveConfiguration implements CamelConfiguration {

    /** @param durableCommits the print route's output (package route): the page shows what its steps filtered */
    @BindToRegistry
    public LiveViewRoutes liveViewRoutes(ConnectApi connectApi, KafkaAdmins admins,
                                         LiveSettings live, ConsumerSettings consumer, DeadLetterSettings deadLetters,
                                         StackModeSettings stack, ApiSettings api, ChartSettings charts,
                                         DurableCommits durableCommits, ObjectMapper exactJson, BrokerControl brokerControl,
                                         StreamingWatch streamingWatch, CaptureViews captureViews,
                                         StepFailures stepFailures) {
        return new LiveViewRoutes(connectApi, admins, live, consumer, deadLetters, stack, api,
                charts, durableCommits, exactJson, brokerControl, streamingWatch, captureViews,
                stepFailures);
    }
}
