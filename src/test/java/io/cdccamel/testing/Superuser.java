package io.cdccamel.testing;

import io.cdccamel.stack.LocalStack;
import io.cdccamel.stack.PostgresPassword;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * How tests log in to an embedded PostgreSQL as its superuser: with the install's own password
 * (generated at the stack's first start, kept in {@code <cdc.stack.dir>/secrets/postgres-password}),
 * never the tutorial's {@code postgres}, which such a server refuses.
 */
public final class Superuser {

    public static final String USER = "postgres";

    private Superuser() {
    }

    /** The superuser's password of the stack whose folder ({@code cdc.stack.dir}) is {@code stackDir}. */
    public static String password(Path stackDir) {
        try {
            return PostgresPassword.read(stackDir).orElseThrow(() -> new IllegalStateException(
                    "No PostgreSQL password in " + PostgresPassword.file(stackDir) + ": has that stack started?"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection to database {@code postgres} of the stack in {@code stackDir}, listening on {@code port}. */
    public static Connection connect(int port, Path stackDir) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", USER, password(stackDir));
    }

    /** A connection to {@code jdbcUrl} of the stack in {@code stackDir}. */
    public static Connection connect(String jdbcUrl, Path stackDir) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, USER, password(stackDir));
    }

    /** A connection to the database of a stack started in this JVM. */
    public static Connection connect(LocalStack stack) throws SQLException {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(), USER, stack.postgresPassword());
    }
}
