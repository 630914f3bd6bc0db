package io.cdccamel.folder;

import io.cdccamel.settings.OutputSettings;
import io.cdccamel.settings.OwnerOnly;
import io.cdccamel.settings.SettingsReader;
import io.cdccamel.settings.StackModeSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListener;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the data folder's lock (embedded mode) and the output folder's lock (both modes) first
 * thing at the start, right after the settings are read: a second instance on the same folders
 * stops here, before it touches a process, a port or a file of the first. The output folder is let
 * go once Camel has stopped (nothing writes it then), the data folder once the embedded stack has
 * (it takes that lock over), whatever is left by {@link #releaseAtStop()} (the last listener), and
 * all of them when the process ends.
 */
public class FolderLocks extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(FolderLocks.class);

    private final List<FolderLock> held = new ArrayList<>();

    @Override
    public synchronized void beforeConfigure(BaseMainSupport main) {
        StackModeSettings mode = SettingsReader.read(main.getCamelContext(), StackModeSettings::read);
        Path output = SettingsReader.read(main.getCamelContext(), OutputSettings::read).dir();
        try {
            if (mode.embedded()) {
                // the data folder holds the database and the secrets: a new one is the app's user's alone from its
                // creation, here where it is made first (stack/DataDirs narrows an earlier start's)
                if (!Files.exists(mode.dir())) {
                    OwnerOnly.folder(mode.dir());
                }
                held.add(FolderLock.take(mode.dir(), StackModeSettings.DIR));
            }
            // one lock file when both settings name one folder
            if (!(mode.embedded() && sameFolder(mode.dir(), output))) {
                FolderLock outputLock = FolderLock.take(output, OutputSettings.DIR);
                held.add(outputLock);
                main.getCamelContext().addLifecycleStrategy(new LifecycleStrategySupport() {
                    @Override
                    public void onContextStopped(CamelContext context) {
                        release(outputLock);
                    }
                });
            }
        } catch (IOException e) {
            release();
            throw new UncheckedIOException("Cannot lock " + output + " or " + mode.dir() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        LOG.info("This instance (pid {}) holds {}", ProcessHandle.current().pid(),
                held.stream().map(l -> l.dir().toAbsolutePath().resolve(FolderLock.FILE_NAME).toString()).toList());
    }

    private static boolean sameFolder(Path a, Path b) throws IOException {
        return Files.isDirectory(b) && Files.isSameFile(a, b);
    }

    /** The listener to add last: lets the folders go after the stack and the routes have stopped. */
    public MainListener releaseAtStop() {
        return new MainListenerSupport() {
            @Override
            public void afterStop(BaseMainSupport main) {
                release();
            }
        };
    }

    private synchronized void release() {
        held.forEach(FolderLocks::release);
        held.clear();
    }

    private static void release(FolderLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("Could not let {} go: {}", lock.dir(), e.toString());
        }
    }
}
