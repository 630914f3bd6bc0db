package io.cdccamel.stack;

import io.cdccamel.store.PreviousOutput;
import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.base.StackStartException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * When the embedded stack's Kafka cluster is new (the first start, or after {@code cdc.stack.reset}),
 * the output written against an earlier one is moved aside ({@link PreviousOutput}) before the
 * output's positions are read. The stack's, not the route's: it is the stack that knows the cluster
 * is new, and the output's store ({@code store/}) that knows how to move it.
 */
public class NewClusterOutput extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(NewClusterOutput.class);

    private final EmbeddedStackListener stack;

    public NewClusterOutput(EmbeddedStackListener stack) {
        this.stack = stack;
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        LocalStack started = stack.stack();
        if (started == null || !started.kafka().created()) {
            return;
        }
        Path outputDir = SettingsReader.read(main.getCamelContext(), OutputSettings::read).dir();
        try {
            Path aside = PreviousOutput.moveAside(outputDir);
            if (aside != null) {
                LOG.info("The Kafka cluster is new: the output written against an earlier one moved to {}", aside);
            }
        } catch (IOException e) {
            throw new StackStartException("Cannot move the earlier output in " + outputDir + " aside: " + e.getMessage(), e);
        }
    }
}
