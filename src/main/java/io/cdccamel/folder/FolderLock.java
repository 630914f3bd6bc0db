package io.cdccamel.folder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One folder, one instance: an exclusive lock on {@code <folder>/.lock}, held for the life of the
 * process (the operating system drops it when the process ends, kill -9 too), as Kafka's log
 * directories ({@code .lock}) and PostgreSQL's data folder ({@code postmaster.pid}) do. The file
 * holds the holder's PID, for the message the next instance gives.
 *
 * <p>A JVM's file locks are per process (POSIX {@code fcntl}), and closing any channel of the file
 * drops them: a folder this JVM holds is known here and refused without opening its file again.
 */
public final class FolderLock implements AutoCloseable {

    public static final String FILE_NAME = ".lock";

    /** The folders this JVM holds (real paths), each with its lock ({@link #TAKING} while it is being taken). */
    private static final Map<Path, Object> HELD_HERE = new ConcurrentHashMap<>();
    private static final Object TAKING = new Object();

    private final Path dir;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private FolderLock(Path dir, Path key, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dir} (created if missing, nothing else in it read or changed first).
     *
     * @param setting the property that names the folder, for the message ({@code cdc.output.dir})
     * @throws InUseException when another process, or this one, holds it
     */
    public static FolderLock take(Path dir, String setting) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.toRealPath();
        Path file = dir.resolve(FILE_NAME);
        if (HELD_HERE.putIfAbsent(key, TAKING) != null) {
            throw new InUseException(setting, dir, file, ProcessHandle.current().pid());
        }
        FileChannel channel = null;
        try {
            // no TRUNCATE: the holder's PID is read from it when the lock is refused
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // held by this JVM through a channel not taken here: the same refusal
                throw new InUseException(setting, dir, file, ProcessHandle.current().pid());
            }
            if (lock == null) {
                throw new InUseException(setting, dir, file, readPid(channel));
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(false);
            FolderLock taken = new FolderLock(dir, key, channel, lock);
            HELD_HERE.put(key, taken);
            channel = null;
            return taken;
        } catch (IOException | RuntimeException e) {
            HELD_HERE.remove(key, TAKING);
            throw e;
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** True when this JVM holds the lock of {@code dir}. */
    public static boolean heldHere(Path dir) {
        try {
            return Files.isDirectory(dir) && HELD_HERE.containsKey(dir.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** The lock of {@code dir} this JVM holds, if it does. */
    public static Optional<FolderLock> held(Path dir) {
        try {
            return Files.isDirectory(dir) && HELD_HERE.get(dir.toRealPath()) instanceof FolderLock lock
                    ? Optional.of(lock) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The PID the holder wrote; -1 when it has not written it yet (it took the lock a moment ago). */
    private static long readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text.lines().findFirst().orElse("").trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public Path dir() {
        return dir;
    }

    /** Lets another instance take the folder (the app's stop; the process's end does it too). Safe to call twice. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            HELD_HERE.remove(key, this);
        }
    }

    /** Another instance holds the folder: the one line a second start stops with. */
    public static final class InUseException extends IllegalStateException {

        private final long pid;

        InUseException(String setting, Path dir, Path file, long pid) {
            super(setting + "=" + dir.toAbsolutePath() + " is in use by "
                    + (pid == ProcessHandle.current().pid() ? "this process, " : "another cdc-camel, ")
                    + (pid > 0 ? "pid " + pid : "its pid not written yet") + " (lock " + file.toAbsolutePath()
                    + "): stop that one first" + (pid > 0 ? " (kill " + pid + ")" : "")
                    + ", or give this one another " + setting);
            this.pid = pid;
        }

        /** The PID holding the folder; -1 when unknown. */
        public long pid() {
            return pid;
        }
    }
}
