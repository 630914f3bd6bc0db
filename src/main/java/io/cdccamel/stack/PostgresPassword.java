package io.cdccamel.stack;

import io.cdccamel.settings.OwnerOnly;
import io.cdccamel.settings.PostgresSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The embedded PostgreSQL superuser's password, a secret of this install rather than the
 * tutorial's {@code postgres}: {@code cdc.postgres.password} when the user sets one, else made at
 * the first start (24 random bytes) and read again at every later one. It is kept in
 * {@code <cdc.stack.dir>/secrets/postgres-password}, beside the connector role's password and the
 * REST token, and libpq's {@code .pgpass} format of it in {@code secrets/pgpass} (rewritten at every
 * start, with the port of this start), so a person's psql reads it as
 * {@code PGPASSFILE=data/secrets/pgpass psql -h 127.0.0.1 -p 5432 -U postgres}. Both files are
 * written to a temporary file that is mode 600 from its creation and moved in place: no other user
 * finds them readable for an instant. The password is never logged.
 */
public final class PostgresPassword {

    /** What an earlier version set when {@code cdc.postgres.password} was left at its default. */
    static final String TUTORIAL = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresPassword.class);

    private PostgresPassword() {
    }

    /** {@code <dir>/secrets/postgres-password} of stack folder {@code dir}. */
    public static Path file(Path dir) {
        return PostgresSettings.passwordFile(dir);
    }

    /** {@code <dir>/secrets/pgpass} of stack folder {@code dir}. */
    public static Path pgpassFile(Path dir) {
        return PostgresSettings.pgpassFile(dir);
    }

    /** The password kept in stack folder {@code dir}, if one is. */
    public static Optional<String> read(Path dir) throws IOException {
        Path file = file(dir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file);
        // one line; a password's own spaces are kept
        String password = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return password.isEmpty() ? Optional.empty() : Optional.of(password);
    }

    /**
     * The superuser's password for this start of the stack in {@code dir}, kept in its secrets
     * folder: {@code given} when not empty, else the one kept, else a new one. Called after the
     * folder is prepared (a reset deletes the secrets) and before PostgreSQL starts, which sets it
     * ({@link PasswordsForEveryone}).
     *
     * @param given {@code cdc.postgres.password}; empty: the install's own
     */
    static String resolve(Path dir, String given) throws IOException {
        Path file = file(dir);
        if (OwnerOnly.folder(file.getParent())) {
            LOG.warn("{} was open to other users of this machine; it is now the app's user's only (mode 700)",
                    file.getParent());
        }
        narrow(file);
        Optional<String> kept = read(dir);
        if (given != null && !given.isEmpty()) {
            if (!kept.equals(Optional.of(given))) {
                write(file, given + "\n");
            }
            return given;
        }
        if (kept.isPresent()) {
            return kept.get();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        write(file, password + "\n");
        if (Files.exists(dir.resolve("postgres").resolve("data"))) {
            LOG.info("The embedded PostgreSQL in {} was made by an earlier version, with the superuser password {} "
                            + "(cdc.postgres.password's old default) unless one was set: it now gets a generated one, "
                            + "kept in {}; psql reads it with PGPASSFILE={}", dir.resolve("postgres").toAbsolutePath(),
                    TUTORIAL, file, pgpassFile(dir));
        } else {
            LOG.info("The embedded PostgreSQL's superuser password is generated for this install and kept in {} "
                    + "(mode 600); psql reads it with PGPASSFILE={}", file, pgpassFile(dir));
        }
        return password;
    }

    /** Writes {@code <dir>/secrets/pgpass} for the superuser at {@code port} (localhost, 127.0.0.1 and the socket). */
    static void writePgpass(Path dir, int port, String password) throws IOException {
        String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
        String text = "# cdc-camel: the embedded PostgreSQL's superuser, rewritten at every start (libpq's password file)\n"
                + "localhost:" + port + ":*:" + PostgresServer.USER + ":" + escaped + "\n"
                + "127.0.0.1:" + port + ":*:" + PostgresServer.USER + ":" + escaped + "\n";
        write(pgpassFile(dir), text);
    }

    /** A file of mode 600 from its creation (a temporary file's mode), moved in place at once. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A kept file whose mode a person widened goes back to 600. */
    private static void narrow(Path file) throws IOException {
        if (Files.exists(file) && Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)
                && !Files.getPosixFilePermissions(file).equals(OwnerOnly.FILE)) {
            Files.setPosixFilePermissions(file, OwnerOnly.FILE);
            LOG.warn("{} was readable by other users of this machine; it is now the app's user's only (mode 600)", file);
        }
    }
}
