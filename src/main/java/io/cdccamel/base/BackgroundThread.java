package io.cdccamel.base;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's scheduling priority to the lowest ({@code nice 19}), for work that
 * may wait while the route prints: on a busy machine such a thread gets the CPU the others leave,
 * and catches up once they idle. Linux schedules each thread on its own, and {@code setpriority}
 * (here through {@code renice}, as Java has no call for it) takes a thread's id, read from
 * {@code /proc/thread-self}. Where either is missing (another OS, a container without util-linux),
 * the thread keeps its priority and an INFO line says why: the work is done all the same, at the
 * cost of CPU the route could have had.
 */
public final class BackgroundThread {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundThread.class);
    /** The lowest priority an unprivileged process may give itself. */
    static final int NICE = 19;

    private BackgroundThread() {
    }

    /** @return true when the calling thread now runs at {@value #NICE} */
    public static boolean lowerPriority() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            String tid = self.getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(10, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                LOG.info("renice of thread {} did not end within 10 s: it keeps its priority", Thread.currentThread().getName());
                return false;
            }
            boolean done = renice.exitValue() == 0 && niceOf(tid) == NICE;
            if (done) {
                LOG.debug("Thread {} ({}) runs at nice {}", Thread.currentThread().getName(), tid, NICE);
            } else {
                LOG.info("Thread {} keeps its priority: renice -n {} -p {} did not take (exit {})",
                        Thread.currentThread().getName(), NICE, tid, renice.exitValue());
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.info("Thread {} keeps its priority (it runs beside the print route at the same one): {}",
                    Thread.currentThread().getName(), e.toString());
            return false;
        }
    }

    /** The thread's nice value, field 19 of its {@code stat} (after the name in parentheses). */
    static int niceOf(String tid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
