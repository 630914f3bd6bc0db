package io.cdccamel.folder;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The app's folder locks across a Camel Main started and stopped in-process, as the tests' apps are. */
class FolderLocksTest {

    @TempDir
    Path dir;

    private Main main(Path output) {
        Main main = new Main();
        // no application.properties: no routes, server or port, only the locks
        main.setDefaultPropertyPlaceholderLocation("false");
        main.addMainListener(new FolderLocks());
        main.addOverrideProperty("cdc.mode", "external");
        main.addOverrideProperty("cdc.output.dir", output.toString());
        return main;
    }

    @Test
    void shouldHoldTheOutputFolderWhileCamelRunsAndLetItGoWhenItStops() throws Exception {
        Path output = dir.resolve("output");
        Main first = main(output);
        first.start();
        try {
            assertThat(FolderLock.heldHere(output)).isTrue();
            Main second = main(output);
            assertThatThrownBy(second::start).isInstanceOf(FolderLock.InUseException.class)
                    .hasMessageContaining("cdc.output.dir=" + output.toAbsolutePath());
        } finally {
            first.stop();
        }
        assertThat(FolderLock.heldHere(output)).as("after the stop").isFalse();

        Main again = main(output);
        again.start();
        assertThat(FolderLock.heldHere(output)).isTrue();
        again.stop();
    }
}
