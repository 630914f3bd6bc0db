package io.cdccamel.bench;

import io.cdccamel.testing.Superuser;
import org.apache.camel.main.Main;
import io.cdccamel.stack.LocalStack;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency from a row's commit in PostgreSQL to its entry in the output file, through the whole
 * real pipeline, at 100 and 1,000 single-row transactions per second, {@code -Dbench.seconds}
 * (60) each. The file is read as it grows (every millisecond); the figures are p50, p95, p99 and
 * max, and {@code bench/latency.png} shows their distributions.
 */
final class LatencyBench {

    private static final String TOPIC = "postgres.debezium.latency";

    private LatencyBench() {
    }

    static void run() throws Exception {
        int seconds = Bench.intProperty("bench.seconds", 60);
        Path dir = Bench.freshDir("latency");
        Main app = Bench.startApp(dir, Map.of("cdc.topics", TOPIC));
        LocalStack stack = Bench.stack(app);
        Bench.sql(stack, "CREATE TABLE debezium.latency (id bigint PRIMARY KEY, note text)");
        Path file = dir.resolve("output").resolve(TOPIC + ".log");
        Map<Long, Long> seen = new ConcurrentHashMap<>();
        Thread tail = new Thread(() -> tail(file, seen), "bench-tail");
        tail.setDaemon(true);
        tail.start();

        Map<String, double[]> results = new LinkedHashMap<>();
        try (Connection c = Superuser.connect(stack);
             PreparedStatement insert = c.prepareStatement("INSERT INTO debezium.latency VALUES (?, 'latency probe')")) {
            // warm-up: the topic is created by the first event and the consumer finds it
            long warm = System.nanoTime();
            for (long id = -100; id < 0; id++) {
                insert.setLong(1, id);
                insert.executeUpdate();
            }
            await(seen, -100, -1, 120);
            Bench.progress("pipeline warm in %d ms", (System.nanoTime() - warm) / 1_000_000);
            for (int rate : new int[] {100, 1000}) {
                long firstId = rate * 1_000_000L;
                int n = rate * seconds;
                long[] committed = new long[n];
                long start = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                for (int i = 0; i < n; i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    insert.setLong(1, firstId + i);
                    insert.executeUpdate(); // autocommit: returns once committed
                    committed[i] = System.nanoTime();
                }
                double achieved = n / ((System.nanoTime() - start) / 1e9);
                await(seen, firstId, firstId + n - 1, 120);
                double[] ms = new double[n];
                for (int i = 0; i < n; i++) {
                    ms[i] = (seen.get(firstId + i) - committed[i]) / 1e6;
                }
                Arrays.sort(ms);
                results.put(rate + " rows/s", ms);
                Bench.figure("latency at %d rows/s (%d s, %.0f achieved): p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms",
                        rate, seconds, achieved, Bench.percentile(ms, 50), Bench.percentile(ms, 95), Bench.percentile(ms, 99),
                        ms[ms.length - 1]);
                StringBuilder csv = new StringBuilder("latency_ms\n");
                for (double v : ms) {
                    csv.append(String.format("%.2f%n", v));
                }
                Files.writeString(dir.resolve("latency-" + rate + ".csv"), csv);
            }
        }
        Path chart = Path.of("bench", "latency.png");
        chart(results, chart);
        Bench.figure("  chart: %s", chart);
        Bench.stop(app);
    }

    private static void await(Map<Long, Long> seen, long from, long to, int timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (long id = from; id <= to; id++) {
            while (!seen.containsKey(id)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("row " + id + " not printed within " + timeoutSeconds + " s");
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** Reads the output file as it grows; the time each row's id first appears in an "after". */
    private static void tail(Path file, Map<Long, Long> seen) {
        long position = 0;
        StringBuilder partial = new StringBuilder();
        boolean inAfter = false;
        byte[] buffer = new byte[1 << 20];
        while (true) {
            try {
                if (Files.exists(file)) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                        raf.seek(position);
                        int n;
                        while ((n = raf.read(buffer)) > 0) {
                            long now = System.nanoTime();
                            position += n;
                            partial.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                            int nl;
                            while ((nl = partial.indexOf("\n")) >= 0) {
                                String line = partial.substring(0, nl);
                                partial.delete(0, nl + 1);
                                if (line.equals("\t\"after\": {")) {
                                    inAfter = true;
                                } else if (inAfter && line.startsWith("\t\t\"id\": ")) {
                                    String v = line.substring(8).replace(",", "").trim();
                                    seen.putIfAbsent(Long.parseLong(v), now);
                                    inAfter = false;
                                }
                            }
                        }
                    }
                }
            } catch (Exception e) {
                // the file is being written: read again
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The distribution of each run as a cumulative curve: latency (ms, log scale) against share of rows. */
    static void chart(Map<String, double[]> results, Path png) throws Exception {
        int w = 900;
        int h = 520;
        int left = 80;
        int right = 30;
        int top = 50;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double max = results.values().stream().mapToDouble(a -> a[a.length - 1]).max().orElse(1000);
        double minMs = 1;
        double maxMs = Math.pow(10, Math.ceil(Math.log10(Math.max(max, 10))));
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double d = minMs; d <= maxMs; d *= 10) {
            for (int k = 1; k < 10 && d * k <= maxMs; k++) {
                int x = left + (int) (pw * Math.log10(d * k / minMs) / Math.log10(maxMs / minMs));
                g.setColor(k == 1 ? new Color(200, 200, 200) : new Color(235, 235, 235));
                g.drawLine(x, top, x, top + ph);
                if (k == 1) {
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(String.format("%.0f", d), x - 8, top + ph + 18);
                }
            }
        }
        for (int p = 0; p <= 100; p += 10) {
            int y = top + ph - ph * p / 100;
            g.setColor(new Color(220, 220, 220));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(p + "%", left - 40, y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString("commit -> line in the output file (ms, log scale)", left + pw / 2 - 150, h - 25);
        g.drawString("rows at or below", 8, top - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("cdc-camel latency, PostgreSQL commit to output file", left, 28);
        Color[] colors = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44)};
        int c = 0;
        g.setStroke(new BasicStroke(2f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (Map.Entry<String, double[]> e : results.entrySet()) {
            double[] ms = e.getValue();
            g.setColor(colors[c % colors.length]);
            int px = -1;
            int py = -1;
            for (int i = 0; i < ms.length; i++) {
                double v = Math.max(minMs, ms[i]);
                int x = left + (int) (pw * Math.log10(v / minMs) / Math.log10(maxMs / minMs));
                int y = top + ph - (int) ((long) ph * (i + 1) / ms.length);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            String label = String.format("%s: p50 %.0f, p99 %.0f, max %.0f ms", e.getKey(), Bench.percentile(ms, 50),
                    Bench.percentile(ms, 99), ms[ms.length - 1]);
            g.fillRect(left + 15, top + 15 + c * 20, 14, 4);
            g.drawString(label, left + 35, top + 21 + c * 20);
            c++;
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        javax.imageio.ImageIO.write(img, "png", png.toFile());
    }
}
