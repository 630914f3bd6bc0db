package io.cdccamel.api;

import io.cdccamel.base.AtStart;
import io.cdccamel.settings.ApiSettings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.console.DevConsoleRegistry;
import org.apache.camel.support.service.ServiceHelper;

/** The API's guard (token, Host allow-list), its one error policy, and the consoles it masks or leaves out. */
@Configuration
public class ApiConfiguration implements CamelConfiguration {

    /** The API's token of this start, its Host allow-list and its guard of state changes. */
    @BindToRegistry(ApiSecurity.BEAN)
    public ApiSecurity apiSecurity(ApiSettings api) {
        security = ApiSecurity.from(api);
        return security;
    }

    /** The API routes' one error policy, which they opt into by id (Camel Main adds route configurations first). */
    @BindToRegistry
    public ApiErrorPolicy apiErrorPolicy() {
        return new ApiErrorPolicy();
    }

    /** The API's paths (REST DSL) and its OpenAPI document. */
    @BindToRegistry
    public ApiRestRoutes apiRestRoutes() {
        return new ApiRestRoutes();
    }

    /** The security this class bound, for configure. */
    private ApiSecurity security;

    @Override
    public void configure(CamelContext camel) throws Exception {
        ApiSecurity security = this.security;
        // every request to the API's server passes the guard first: before any route starts
        camel.addStartupListener(AtStart.once(started -> security.install(started)));
        camel.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // the consoles are loaded while Camel starts
                withoutEventConsole(started);
                security.removeActingConsoles(started);
                // secrets masked in every console's answer (Camel's own masking misses sasl.jaas.config)
                MaskedConsoles.wrapAll(started);
            }
        });
    }

    /**
     * Camel's dev console, without its {@code event} console: that one listens to every exchange
     * event, and Camel then makes one for each record the Kafka consumer hands over. Measured with
     * bench/run throughput (500,000 events, median of 3 to 5 runs): 26,414 events/s with it, 32,662
     * without; the other consoles cost nothing measurable.
     */
    static void withoutEventConsole(CamelContext camel) {
        DevConsoleRegistry consoles = camel.getCamelContextExtension().getContextPlugin(DevConsoleRegistry.class);
        if (consoles == null) {
            return;
        }
        consoles.stream().filter(c -> "event".equals(c.getId())).toList().forEach(c -> {
            ServiceHelper.stopService(c);
            consoles.unregister(c);
        });
    }
}
