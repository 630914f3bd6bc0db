package io.cdccamel.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU of this JVM (the whole stack and the app) went between two moments: CPU time by
 * kind of thread, the rest of the process (garbage collection, JIT, native threads), and the
 * garbage collectors' pause time.
 */
final class CpuUse {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> threadCpuAtStart = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processCpuAtStart;
    private final long gcMillisAtStart;
    private final long wallAtStart = System.nanoTime();
    private final Map<String, Long> nativeAtStart = nativeThreads();

    CpuUse() {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                threadCpuAtStart.put(info.getThreadId(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
            }
        }
        processCpuAtStart = processCpu();
        gcMillisAtStart = gcMillis();
    }

    /** One line: core-seconds per kind of thread since this was made. */
    String since() {
        Map<String, Long> byKind = new TreeMap<>();
        long javaThreads = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu <= 0) {
                continue;
            }
            long used = cpu - threadCpuAtStart.getOrDefault(info.getThreadId(), 0L);
            javaThreads += used;
            byKind.merge(kind(info.getThreadName()), used, Long::sum);
        }
        long process = processCpu() - processCpuAtStart;
        double wall = (System.nanoTime() - wallAtStart) / 1e9;
        StringBuilder line = new StringBuilder(String.format("CPU of the JVM over %.1f s: %.1f core-s (%.0f %% of 2 cores):",
                wall, process / 1e9, 100.0 * process / 1e9 / wall / Runtime.getRuntime().availableProcessors()));
        byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() > 50_000_000L)
                .forEach(e -> line.append(String.format(" %s %.1f,", e.getKey(), e.getValue() / 1e9)));
        Map<String, Long> nativeNow = nativeThreads();
        Map<String, Long> nativeUse = new TreeMap<>();
        nativeNow.forEach((k, v) -> nativeUse.put(k, v - nativeAtStart.getOrDefault(k, 0L)));
        line.append(String.format(" JVM threads %.1f (garbage collection %.1f, JIT compilers %.1f); GC pauses %.1f s",
                (process - javaThreads) / 1e9, nativeUse.getOrDefault("gc", 0L) / 1e9, nativeUse.getOrDefault("jit", 0L) / 1e9,
                (gcMillis() - gcMillisAtStart) / 1e3));
        return line.toString();
    }

    /** CPU time of the JVM's own threads by kind, from /proc (empty where there is no /proc). */
    private static Map<String, Long> nativeThreads() {
        Map<String, Long> byKind = new HashMap<>();
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        long tick = 10_000_000L; // USER_HZ 100: a clock tick is 10 ms
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path task : dirs.toList()) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * tick;
                    String kind = name.startsWith("GC Thread") || name.startsWith("G1 ") ? "gc"
                            : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "jit" : null;
                    if (kind != null) {
                        byKind.merge(kind, cpu, Long::sum);
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return byKind;
        }
        return byKind;
    }

    private static String kind(String thread) {
        if (thread.startsWith("live-view") || thread.startsWith("Camel (") && (thread.contains("push-live-view")
                || thread.contains("probe-pipeline") || thread.contains("sample-charts")) || thread.startsWith("vert.x-eventloop")) {
            return "live view (its reader, pushes, probes, HTTP)";
        }
        if (thread.contains("KafkaConsumer[")) {
            return "route consumer threads";
        }
        if (thread.startsWith("Log4j2-") || thread.contains("AsyncAppender")) {
            return "console logging";
        }
        if (thread.startsWith("data-plane") || thread.startsWith("ReplicaFetcher") || thread.startsWith("kafka")
                || thread.startsWith("group-coordinator") || thread.startsWith("broker") || thread.startsWith("controller")
                || thread.startsWith("raft") || thread.startsWith("executor-")) {
            return "Kafka brokers";
        }
        return "other Java threads";
    }

    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }
}
