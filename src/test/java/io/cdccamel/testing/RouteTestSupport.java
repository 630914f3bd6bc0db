package io.cdccamel.testing;

import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;

import java.util.Map;
import java.util.Properties;

/**
 * Route tests of this project: the test adapts the route with AdviceWith and then starts the
 * context itself; its properties override the application's.
 */
public abstract class RouteTestSupport extends CamelTestSupport {

    /** The properties the route under test resolves. */
    protected abstract Map<String, String> properties();

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration contextConfiguration) {
        super.configureContext(contextConfiguration);
        Properties props = new Properties();
        props.putAll(properties());
        contextConfiguration.withUseOverridePropertiesWithPropertiesComponent(props);
    }
}
