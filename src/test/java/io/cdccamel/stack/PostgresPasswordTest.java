package io.cdccamel.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresPasswordTest {

    @TempDir
    Path dir;

    @Test
    void shouldGenerateAStrongPasswordOnceAndKeepItOwnerOnly() throws Exception {
        String first = PostgresPassword.resolve(dir, "");
        assertThat(first).isNotEqualTo(PostgresPassword.TUTORIAL).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9_-]+");
        Path file = PostgresPassword.file(dir);
        assertThat(file).isEqualTo(dir.resolve("secrets").resolve("postgres-password"));
        assertThat(Files.readString(file)).isEqualTo(first + "\n");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        assertThat(PostgresPassword.resolve(dir, "")).as("the next start").isEqualTo(first);
        assertThat(PostgresPassword.resolve(dir.resolve("other"), ""))
                .as("another install").isNotEqualTo(first);
        try (var left = Files.list(file.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("postgres-password");
        }
    }

    @Test
    void shouldTakeTheUsersPasswordAndKeepItForTheNextStart() throws Exception {
        PostgresPassword.resolve(dir, "");
        assertThat(PostgresPassword.resolve(dir, " my: secret\\ ")).isEqualTo(" my: secret\\ ");
        assertThat(PostgresPassword.read(dir)).contains(" my: secret\\ ");
        assertThat(PostgresPassword.resolve(dir, "")).as("unset again: the one the server has").isEqualTo(" my: secret\\ ");
    }

    @Test
    void shouldNarrowAPasswordFileSomeoneOpened() throws Exception {
        PostgresPassword.resolve(dir, "");
        Files.setPosixFilePermissions(PostgresPassword.file(dir), PosixFilePermissions.fromString("rw-r--r--"));
        PostgresPassword.resolve(dir, "");
        assertThat(mode(PostgresPassword.file(dir))).isEqualTo("rw-------");
    }

    @Test
    void shouldWriteLibpqsPasswordFileWithItsEscapes() throws Exception {
        PostgresPassword.resolve(dir, "a:b\\c");
        PostgresPassword.writePgpass(dir, 54321, "a:b\\c");
        Path pgpass = PostgresPassword.pgpassFile(dir);
        assertThat(pgpass).isEqualTo(dir.resolve("secrets").resolve("pgpass"));
        assertThat(mode(pgpass)).as("psql ignores a password file others can read").isEqualTo("rw-------");
        assertThat(Files.readAllLines(pgpass)).filteredOn(l -> !l.startsWith("#"))
                .containsExactly("localhost:54321:*:postgres:a\\:b\\\\c", "127.0.0.1:54321:*:postgres:a\\:b\\\\c");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
