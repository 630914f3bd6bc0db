package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirsTest {

    @TempDir
    Path dir;

    @Test
    void shouldMarkANewFolderAndKnowItAgain() throws Exception {
        assertThat(DataDirs.prepare(dir, false)).as("new").isTrue();
        assertThat(dir.resolve(DataDirs.MARKER)).exists();
        Files.createDirectories(dir.resolve("kafka"));
        assertThat(DataDirs.prepare(dir, false)).as("holds an earlier start").isFalse();
    }

    @Test
    void shouldMakeANewFolderOwnerOnlyAndNarrowItsOwnButNotTheUsers() throws Exception {
        Path fresh = dir.resolve("fresh").resolve("data");
        DataDirs.prepare(fresh, false);
        assertThat(mode(fresh)).isEqualTo("rwx------");
        // the app's own folder (marker) of an earlier version that made it 755: narrowed
        Files.setPosixFilePermissions(fresh, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        DataDirs.prepare(fresh, false);
        assertThat(mode(fresh)).isEqualTo("rwx------");
        // a folder of the user's own, named by cdc.stack.dir: left as it is (a warning says how)
        Path users = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(users, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        DataDirs.prepare(users, false);
        assertThat(mode(users)).isEqualTo("rwxr-x---");
    }

    private static String mode(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void shouldRefuseTheDataOfAnOlderVersionInOneLine() throws Exception {
        Files.createDirectories(dir.resolve("postgres").resolve("data"));
        assertThatThrownBy(() -> DataDirs.prepare(dir, false)).isInstanceOf(StackStartException.class)
                .hasMessageContaining("older cdc-camel").hasMessageContaining("-Dcdc.stack.reset=true")
                .hasMessageNotContaining("\n");
        assertThat(dir.resolve("postgres")).as("nothing deleted without the switch").exists();
    }

    @Test
    void shouldRefuseAnotherTopology() throws Exception {
        Files.createDirectories(dir.resolve("kafka"));
        Files.writeString(dir.resolve(DataDirs.MARKER), "layout=2\ntopology=1 broker, 1 controller\n");
        assertThatThrownBy(() -> DataDirs.prepare(dir, false)).isInstanceOf(StackStartException.class)
                .hasMessageContaining("1 broker, 1 controller").hasMessageContaining(DataDirs.TOPOLOGY);
    }

    @Test
    void shouldStartFromScratchWithTheResetSwitch() throws Exception {
        Files.createDirectories(dir.resolve("postgres").resolve("data"));
        Files.createDirectories(dir.resolve("kafka").resolve("broker-0"));
        Files.createDirectories(dir.resolve("logs"));
        assertThat(DataDirs.prepare(dir, true)).isTrue();
        assertThat(dir.resolve("postgres")).doesNotExist();
        assertThat(dir.resolve("kafka")).doesNotExist();
        assertThat(dir.resolve("logs")).as("the logs stay").exists();
        assertThat(dir.resolve(DataDirs.MARKER)).exists();
    }
}
