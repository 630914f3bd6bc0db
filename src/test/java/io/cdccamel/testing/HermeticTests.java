package io.cdccamel.testing;

import io.cdccamel.settings.Hermetic;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.util.List;
import java.util.Set;

/**
 * Every test JVM (surefire's and failsafe's) ignores the user's settings before the first test:
 * no {@code CDC_*}/{@code CAMEL_*} environment variable reaches the app ({@link Hermetic}), and the
 * {@code cdc.*}/{@code camel.*} system properties a user's {@code mvn -Dkey=value} passes to the
 * forked JVM are removed; the tests set their own. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}. The app processes
 * the ITs start get a cleaned environment ({@code it.CleanEnvironment}).
 */
public final class HermeticTests implements LauncherSessionListener {

    /** The pom's own system properties of the test JVMs, and the tests' own knobs. */
    private static final Set<String> KEEP = Set.of("cdc.log.dir", "cdc.chromium");

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        List<String> removed = Hermetic.isolate(key -> KEEP.contains(key) || key.startsWith("cdc.it."));
        if (!removed.isEmpty()) {
            System.err.println("cdc-camel tests: ignoring -D" + String.join(", -D", removed));
        }
    }
}
