package io.cdccamel;

import io.cdccamel.api.ApiConfiguration;
import io.cdccamel.capture.CaptureConfiguration;
import io.cdccamel.capture.CaptureListener;
import io.cdccamel.connect.ConnectConfiguration;
import io.cdccamel.connect.RegistrationConfiguration;
import io.cdccamel.folder.FolderLock;
import io.cdccamel.folder.FolderLocks;
import io.cdccamel.live.LiveConfiguration;
import io.cdccamel.ops.BrokerControl;
import io.cdccamel.ops.OperationsConfiguration;
import io.cdccamel.search.SearchConfiguration;
import io.cdccamel.stack.NewClusterOutput;
import io.cdccamel.route.RouteConfiguration;
import io.cdccamel.settings.BadSettingsException;
import io.cdccamel.settings.Hermetic;
import io.cdccamel.settings.OwnerOnly;
import io.cdccamel.settings.SettingsCheck;
import io.cdccamel.settings.SettingsConfiguration;
import io.cdccamel.stack.DemoDataListener;
import io.cdccamel.stack.EmbeddedStackListener;
import io.cdccamel.stack.RecordLimits;
import io.cdccamel.stack.StackConfiguration;
import io.cdccamel.base.StackStartException;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConfigurationProperties;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Camel Main entry point: each package's configuration class declares its beans, routes/ holds the YAML routes. */
public final class CdcApplication {

    /** The log folder's system property, as cdc-camel-log4j2.xml reads it. */
    static final String LOG_DIR = "cdc.log.dir";
    static final String DEFAULT_LOG_DIR = "data/logs";
    /** The console's log format, as cdc-camel-log4j2.xml reads it: {@code text} (default) or {@code json}. */
    static final String LOG_FORMAT = "cdc.log.format";

    private CdcApplication() {
    }

    public static void main(String[] args) throws Exception {
        // before the first log line: log4j picks the console's layout by it
        String format = logFormat(System.getProperty(LOG_FORMAT), System.getenv("CDC_LOG_FORMAT"));
        if (format == null) {
            System.err.println("cdc-camel: CDC_LOG_FORMAT (-D" + LOG_FORMAT + ") is '" + System.getenv("CDC_LOG_FORMAT")
                    + "'/'" + System.getProperty(LOG_FORMAT) + "': use text (the default) or json");
            System.exit(2);
        }
        System.setProperty(LOG_FORMAT, format);
        // before the first log line: log4j would create the folder (and data/ above it) open to every user
        ownerOnlyLogFolder();
        RecordLimits.keepNoLargeSocketBuffers();
        Main main = newMain();
        try {
            main.run(args);
        } catch (Exception e) {
            // bad settings or a port that stops the start: one line each, not a stack trace
            for (String line : reasons(e)) {
                System.err.println("cdc-camel: " + line);
            }
            System.exit(2);
        }
    }

    /**
     * {@code -Dcdc.log.format}, else {@code CDC_LOG_FORMAT}, else {@code text}; null when it is neither
     * {@code text} nor {@code json} (log4j would fall back to text without a word).
     */
    static String logFormat(String property, String environment) {
        String value = property != null && !property.isBlank() ? property
                : environment != null && !environment.isBlank() ? environment : "text";
        String format = value.strip().toLowerCase(java.util.Locale.ROOT);
        return format.equals("text") || format.equals("json") ? format : null;
    }

    /**
     * The log folder ({@code -Dcdc.log.dir}, default {@code data/logs}, as cdc-camel-log4j2.xml reads
     * it) with mode 700, and its missing parents too; the files in it are made 600 by log4j.
     */
    static void ownerOnlyLogFolder() {
        Path dir = Path.of(System.getProperty(LOG_DIR, DEFAULT_LOG_DIR));
        try {
            // narrowed when new or the app's own (it has the app's log); a folder of the user's own is only reported
            boolean own = !Files.exists(dir) || Files.exists(dir.resolve("cdc-camel.log"));
            if (!own && OwnerOnly.openToOthers(dir)) {
                System.err.println("cdc-camel: the log folder " + dir.toAbsolutePath() + " is open to other users of"
                        + " this machine: chmod 700 " + dir.toAbsolutePath());
            } else if (own && OwnerOnly.folder(dir)) {
                System.err.println("cdc-camel: " + dir.toAbsolutePath() + " was open to other users of this machine;"
                        + " it is now the app's user's only (mode 700)");
            }
        } catch (IOException e) {
            System.err.println("cdc-camel: cannot make the log folder " + dir.toAbsolutePath() + " owner-only (" + e
                    + "): set -D" + LOG_DIR + " to a folder of your own");
        }
    }

    /** Every bad setting, one line each, when that is what stopped the start; else {@link #reason}. */
    static List<String> reasons(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BadSettingsException bad) {
                return bad.lines();
            }
        }
        return List.of(reason(e));
    }

    /** The stack's own message, else the innermost cause's (a bad value names its property there). */
    static String reason(Throwable e) {
        Throwable innermost = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof StackStartException || c instanceof FolderLock.InUseException) {
                return c.getMessage();
            }
            innermost = c;
        }
        return innermost.getClass().getSimpleName() + ": " + innermost.getMessage();
    }

    /** The app's Camel Main: what {@link #main} runs, and what tests start in-process. */
    public static Main newMain() {
        return newMain(null);
    }

    /**
     * As {@link #newMain()}, with {@code brokers} as the control of the brokers (the API's and the live
     * page's stop and start) for an app started beside a stack of its own in external mode (tests).
     */
    public static Main newMain(BrokerControl brokers) {
        Main main = new Main();
        // the build's training run and the tests: no setting from the user's environment
        Hermetic.apply(main);
        // every setting is read and checked before anything starts
        main.addMainListener(new SettingsCheck());
        // one folder, one instance: a second start on the same data or output folder stops here
        FolderLocks locks = new FolderLocks();
        main.addMainListener(locks);
        // your own PostgreSQL (cdc.postgres.embedded=false) is checked before anything starts
        main.addMainListener(new CaptureListener.OwnDatabasePreflight());
        // starts the embedded stack (cdc.mode=embedded) before Camel builds the beans
        EmbeddedStackListener stack = new EmbeddedStackListener();
        main.addMainListener(stack);
        // a new Kafka cluster numbers offsets from 0 again: the output written against an earlier one goes aside
        main.addMainListener(new NewClusterOutput(stack));
        // the demo table (cdc.demo.enabled), in both modes, before the capture publishes it
        main.addMainListener(new DemoDataListener());
        // then brings the source database in line with what the connector file captures
        CaptureListener capture = new CaptureListener();
        main.addMainListener(capture);
        // last: the folders are let go once everything above has stopped
        main.addMainListener(locks.releaseAtStop());
        addConfigurations(main.configure(), stack, capture, brokers);
        return main;
    }

    /**
     * Each feature's configuration class, in the order Camel Main binds their beans (a bean method's
     * parameters are the beans of those before it): what route tests start without the listeners
     * (external mode: no embedded stack, no capture prepared).
     */
    public static void addConfigurations(MainConfigurationProperties configure) {
        addConfigurations(configure, new EmbeddedStackListener(), new CaptureListener(), null);
    }

    private static void addConfigurations(MainConfigurationProperties configure, EmbeddedStackListener stack,
                                          CaptureListener capture, BrokerControl brokers) {
        configure.addConfiguration(new SettingsConfiguration());
        configure.addConfiguration(new StackConfiguration(stack, brokers));
        configure.addConfiguration(new CdcConfiguration());
        configure.addConfiguration(new ApiConfiguration());
        configure.addConfiguration(new ConnectConfiguration());
        configure.addConfiguration(new RegistrationConfiguration());
        configure.addConfiguration(new OperationsConfiguration());
        configure.addConfiguration(new RouteConfiguration());
        configure.addConfiguration(new CaptureConfiguration(capture));
        configure.addConfiguration(new LiveConfiguration());
        configure.addConfiguration(new SearchConfiguration());
    }
}
