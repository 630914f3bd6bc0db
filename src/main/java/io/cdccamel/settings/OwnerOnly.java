package io.cdccamel.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Folders the app's user alone may enter (mode 700): the data folder ({@code cdc.stack.dir}: the
 * database, Kafka's logs, the token, the secrets) and the log folder ({@code cdc.log.dir}). The
 * mode is given to {@code mkdir} itself, so no other user finds the folder open for an instant; a
 * JVM cannot set its umask, which would otherwise decide. On a file system without POSIX modes the
 * folder's own access rules apply.
 */
public final class OwnerOnly {

    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /**
     * Creates {@code dir} and its missing parents with mode 700, or, when it exists with any group
     * or other bit, takes those away: for a folder that is the app's own (callers check that a
     * folder a user named is, before they narrow it).
     *
     * @return true when an existing folder was open to other users and no longer is
     */
    public static boolean folder(Path dir) throws IOException {
        boolean posix = Files.getFileStore(existingAncestor(dir)).supportsFileAttributeView(PosixFileAttributeView.class);
        if (!Files.exists(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER));
            } else {
                Files.createDirectories(dir);
            }
            return false;
        }
        if (!posix || !openToOthers(dir)) {
            return false;
        }
        Files.setPosixFilePermissions(dir, FOLDER);
        return true;
    }

    /** Whether {@code dir} exists with a group or other bit set (never on a file system without POSIX modes). */
    public static boolean openToOthers(Path dir) throws IOException {
        if (!Files.isDirectory(dir) || !Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return false;
        }
        return Files.getPosixFilePermissions(dir).stream()
                .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }
}
