package io.cdccamel.folder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The folder lock against another JVM (a child process holding it or trying to) and against a
 * second attempt in this one.
 */
class FolderLockTest {

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private final List<FolderLock> taken = new ArrayList<>();

    @AfterEach
    void endChildrenAndLetGo() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor();
        }
        for (FolderLock lock : taken) {
            lock.close();
        }
    }

    /** A child JVM: {@code hold <dir>} takes the lock, prints "held", and keeps it until killed; {@code try <dir>} exits 0 if it got it, 1 with the message if not. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try {
                FolderLock.take(Path.of(args[1]), "cdc.output.dir");
            } catch (FolderLock.InUseException e) {
                System.out.println(e.getMessage());
                System.exit(1);
            }
            if (args[0].equals("hold")) {
                System.out.println("held");
                System.out.flush();
                System.in.read(); // until the test kills it
            }
            System.exit(0);
        }
    }

    private Process child(String mode) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode, dir.toString())
                .redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    private Process childHolding() throws Exception {
        Process p = child("hold");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the child's first line").isEqualTo("held");
        return p;
    }

    private FolderLock take() throws Exception {
        FolderLock lock = FolderLock.take(dir, "cdc.output.dir");
        taken.add(lock);
        return lock;
    }

    @Test
    void shouldRefuseTheFolderWhileAnotherProcessHoldsItNamingItsPid() throws Exception {
        Process holder = childHolding();

        assertThatThrownBy(this::take).isInstanceOfSatisfying(FolderLock.InUseException.class, e -> {
            assertThat(e.pid()).isEqualTo(holder.pid());
            assertThat(e.getMessage()).contains("cdc.output.dir=" + dir.toAbsolutePath())
                    .contains("in use by another cdc-camel, pid " + holder.pid())
                    .contains("kill " + holder.pid()).doesNotContain("\n");
        });
        assertThat(FolderLock.heldHere(dir)).isFalse();
        assertThat(Files.readString(dir.resolve(FolderLock.FILE_NAME)).trim()).isEqualTo(Long.toString(holder.pid()));
    }

    @Test
    void shouldTakeTheFolderOnceItsHolderWasKilled() throws Exception {
        Process holder = childHolding();
        holder.destroyForcibly(); // kill -9: the operating system lets the lock go
        assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

        take();

        assertThat(FolderLock.heldHere(dir)).isTrue();
        assertThat(Files.readString(dir.resolve(FolderLock.FILE_NAME)).trim())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void shouldRefuseASecondTakeInThisJvmAndKeepTheFirst() throws Exception {
        take();

        assertThatThrownBy(this::take).isInstanceOfSatisfying(FolderLock.InUseException.class, e -> {
            assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(e.getMessage()).contains("in use by this process");
        });
        // the refused attempt did not let the first go (closing a channel of the file would have)
        Process other = child("try");
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).isEqualTo(1);
        assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("pid " + ProcessHandle.current().pid());
    }

    @Test
    void shouldRefuseAFolderThisJvmLockedThroughAnotherChannel() throws Exception {
        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve(FolderLock.FILE_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            // the JVM's own overlap check (OverlappingFileLockException) is the same refusal
            assertThatThrownBy(this::take).isInstanceOf(FolderLock.InUseException.class)
                    .hasMessageContaining("in use by this process");
        }
        assertThat(FolderLock.heldHere(dir)).isFalse();
    }

    @Test
    void shouldLetTheNextTakeTheFolderOnceClosed() throws Exception {
        take().close();
        taken.clear();

        Process other = child("try");
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as("a child's take after the close").isEqualTo(0);
        assertThat(FolderLock.heldHere(dir)).isFalse();
    }

    @Test
    void shouldNotLetANewerHolderGoWhenAnOldLockIsClosedAgain() throws Exception {
        FolderLock first = take();
        assertThat(FolderLock.held(dir)).containsSame(first);
        first.close();
        FolderLock second = take();

        first.close(); // a second close of the first (the stack's stop, then the app's)

        assertThat(FolderLock.held(dir)).containsSame(second);
        Process other = child("try");
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as("a child's take while the second lock is held").isEqualTo(1);
    }
}
