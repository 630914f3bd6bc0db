package io.cdccamel.bench;

import io.cdccamel.stack.Ports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Start-up as a user meets it: {@code java -Xmx512m -jar target/cdc-camel.jar} in a fresh folder
 * (PostgreSQL's initdb included), until the demo row's event is in the output file; then the RSS
 * of the whole stack (the JVM and PostgreSQL). {@code -Dbench.runs} (3) runs; the median is shown.
 */
final class StartupBench {

    private StartupBench() {
    }

    static void run() throws Exception {
        int runs = Bench.intProperty("bench.runs", 3);
        Path jar = Path.of("target", "cdc-camel.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: mvn -B -q package -DskipTests");
        }
        double[] seconds = new double[runs];
        double[] rss = new double[runs];
        for (int run = 0; run < runs; run++) {
            Path dir = Bench.freshDir("startup/run-" + (run + 1));
            Files.createDirectories(dir.resolve("routes"));
            Files.copy(Path.of("routes", "print-change-events.yaml"), dir.resolve("routes").resolve("print-change-events.yaml"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Path.of("debezium_connect.json"), dir.resolve("debezium_connect.json"));
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Dcdc.postgres.port=" + Ports.freePort(),
                    "-Dcdc.kafka.ports=" + Ports.freePort() + "," + Ports.freePort() + "," + Ports.freePort(),
                    "-Dcdc.connect.port=" + Ports.freePort(),
                    "-Dcdc.api.port=" + Ports.freePort(),
                    "-jar", jar.toString()));
            Path file = dir.resolve("output").resolve("postgres.debezium.product.log");
            long start = System.nanoTime();
            Process app = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("console.out").toFile()).start();
            try {
                long deadline = start + TimeUnit.MINUTES.toNanos(3);
                while (!(Files.exists(file) && Files.readString(file).contains("Message on ["))) {
                    if (!app.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("no event printed; see " + dir.resolve("console.out"));
                    }
                    LockSupport.parkNanos(20_000_000);
                }
                seconds[run] = (System.nanoTime() - start) / 1e9;
                long kb = Bench.rssKb(app.pid()) + app.descendants().mapToLong(p -> Bench.rssKb(p.pid())).sum();
                rss[run] = kb / 1024.0;
                Bench.progress("run %d: first event after %.1f s, RSS %.0f MB", run + 1, seconds[run], rss[run]);
            } finally {
                app.destroy(); // SIGTERM: the app stops Camel, Connect, Kafka, PostgreSQL in order
                if (!app.waitFor(60, TimeUnit.SECONDS)) {
                    app.destroyForcibly().waitFor();
                }
            }
        }
        Bench.figure("start-up (java -jar, fresh folder, %d runs): first event after %.1f s (median; runs %s), "
                + "RSS of JVM + PostgreSQL then %.0f MB (median)", runs, Bench.median(seconds), java.util.Arrays.toString(
                java.util.Arrays.stream(seconds).mapToObj(s -> String.format("%.1f", s)).toArray()), Bench.median(rss));
    }
}
