package io.cdccamel.settings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class OwnerOnlyTest {

    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void shouldCreateEveryMissingFolderWithMode700() throws Exception {
        Path logs = tmp.resolve("data").resolve("logs");
        assertThat(OwnerOnly.folder(logs)).isFalse();
        assertThat(mode(logs)).isEqualTo("rwx------");
        assertThat(mode(logs.getParent())).as("data/, made on the way").isEqualTo("rwx------");
        assertThat(OwnerOnly.openToOthers(logs)).isFalse();
    }

    @Test
    void shouldNarrowAnOpenFolderAndSaySo() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(OwnerOnly.openToOthers(data)).isTrue();
        assertThat(OwnerOnly.folder(data)).isTrue();
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(OwnerOnly.folder(data)).as("already narrow").isFalse();
    }
}
