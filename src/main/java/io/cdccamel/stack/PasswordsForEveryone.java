package io.cdccamel.stack;

import io.cdccamel.base.StackStartException;
import io.zonky.test.db.postgres.util.LinuxUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The embedded PostgreSQL asks every role for its password. zonky's initdb trusts every login
 * ({@code -A trust}): any user of the machine would be superuser, and {@code COPY ... TO PROGRAM}
 * runs commands as the app's user. Before each start (zonky's data directory customizer, after
 * initdb) this
 * <ul>
 *   <li>writes {@code pg_hba.conf}: {@code scram-sha-256} for every role and database, over TCP
 *       (127.0.0.1 and ::1) and over the Unix socket, replication included; nothing else is accepted;</li>
 *   <li>sets the superuser's password (this install's, {@link PostgresPassword}) in PostgreSQL's single-user
 *       mode ({@code postgres --single}, no socket open meanwhile; the password goes through stdin,
 *       never on a command line), so a changed setting takes effect at the next start.</li>
 * </ul>
 * The Unix socket lives in the data directory (mode 700, as initdb makes it) with mode 0700, not in
 * the shared {@code /tmp}.
 */
final class PasswordsForEveryone {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordsForEveryone.class);

    static final String HBA = String.join("\n",
            "# cdc-camel: every role gives its password (scram-sha-256), the superuser too; nothing is trusted.",
            "# Written at every start by the embedded stack (PasswordsForEveryone): edits here are replaced.",
            "# TYPE  DATABASE        USER            ADDRESS                 METHOD",
            "local   all             all                                     scram-sha-256",
            "local   replication     all                                     scram-sha-256",
            "host    all             all             127.0.0.1/32            scram-sha-256",
            "host    all             all             ::1/128                 scram-sha-256",
            "host    replication     all             127.0.0.1/32            scram-sha-256",
            "host    replication     all             ::1/128                 scram-sha-256",
            "");
    /** sockaddr_un's path holds 107 bytes on Linux, 103 on macOS, with {@code /.s.PGSQL.<port>}. */
    private static final int MAX_SOCKET_DIR = 103 - "/.s.PGSQL.65535".length();

    private PasswordsForEveryone() {
    }

    /** What zonky runs on the data directory after initdb and before the server starts. */
    /** @param serverSettings settings the server starts with that single-user mode needs too (logical decoding's) */
    static Consumer<File> customizer(Path dir, String password, Map<String, String> serverSettings) {
        if (password == null || password.isEmpty() || password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0
                || password.indexOf('\0') >= 0) {
            throw new StackStartException("cdc.postgres.password must be set, on one line");
        }
        return dataDirectory -> {
            writeHba(dataDirectory.toPath());
            setSuperuserPassword(postgresBinary(dir.resolve("binaries")), dataDirectory.toPath(), password, serverSettings);
        };
    }

    /**
     * The folder of the Unix socket: the data directory (mode 700); none at all (TCP only) when its
     * path is too long for a socket address.
     */
    static String socketDirectory(Path dir) {
        String data = dir.resolve("data").toAbsolutePath().toString();
        if (data.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_DIR) {
            LOG.info("PostgreSQL opens no Unix socket: the path of {} is too long for one (TCP only)", data);
            return "";
        }
        return data;
    }

    static void writeHba(Path dataDirectory) {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        try {
            Files.writeString(hba, HBA);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + hba, e);
        }
    }

    /** The {@code bin/postgres} zonky unpacked under {@code binaries} (the newest, if several versions are there). */
    static Path postgresBinary(Path binaries) {
        try (Stream<Path> dirs = Files.list(binaries)) {
            return dirs.map(d -> d.resolve("bin").resolve("postgres")).filter(Files::isExecutable)
                    .max(Comparator.comparing(PasswordsForEveryone::modified))
                    .orElseThrow(() -> new StackStartException("No PostgreSQL binary under " + binaries));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + binaries, e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** {@code ALTER ROLE postgres PASSWORD ...} in single-user mode, as zonky runs its binaries (unshare as root). */
    static void setSuperuserPassword(Path postgres, Path dataDirectory, String password,
                                     Map<String, String> serverSettings) {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // PostgreSQL refuses to run as root: zonky runs it in a user namespace then, and so does this
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgres.toString(), "--single", "-D", dataDirectory.toAbsolutePath().toString(),
                "-c", "password_encryption=scram-sha-256", "-c", "log_min_error_statement=panic"));
        serverSettings.forEach((key, value) -> command.addAll(List.of("-c", key + "=" + value)));
        command.add(PostgresServer.USER);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(("ALTER ROLE " + PostgresServer.USER + " PASSWORD '" + password.replace("'", "''") + "'\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new StackStartException("PostgreSQL's single-user mode did not end within 60 s");
            }
            // an error line names the error, never the statement (log_min_error_statement=panic)
            String errors = output.lines().filter(l -> l.contains("ERROR") || l.contains("FATAL"))
                    .collect(Collectors.joining("; "));
            if (process.exitValue() != 0 || !errors.isEmpty()) {
                throw new StackStartException("Could not set the PostgreSQL superuser's password (exit "
                        + process.exitValue() + "): " + errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + postgres + " --single", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException("Interrupted while setting the PostgreSQL superuser's password");
        }
    }
}
