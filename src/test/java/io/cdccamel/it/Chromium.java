package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's {@code chromium}), driven through the Chrome DevTools Protocol
 * over a {@code java.net.http} WebSocket: no driver, no Docker. A missing browser fails the test
 * with what to install (a skipped browser test would pass for nothing).
 */
public final class Chromium implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    /** One tab, attached in flat mode: its commands carry its session id. */
    public final class Tab {
        final String targetId;
        final String sessionId;

        private Tab(String targetId, String sessionId) {
            this.targetId = targetId;
            this.sessionId = sessionId;
        }

        /** Evaluates {@code expression} in the page and returns its value as JSON. */
        public JsonNode eval(String expression) {
            ObjectNode params = MAPPER.createObjectNode().put("expression", expression).put("returnByValue", true)
                    .put("awaitPromise", true);
            JsonNode result = call("Runtime.evaluate", params, sessionId);
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("The page threw: " + result.get("exceptionDetails"));
            }
            return result.path("result").path("value");
        }

        public void screenshot(Path file) throws IOException {
            JsonNode shot = call("Page.captureScreenshot", MAPPER.createObjectNode().put("format", "png"), sessionId);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
        }

        /** Closes the tab, as a user closing it does: its connections close. */
        public void close() {
            call("Target.closeTarget", MAPPER.createObjectNode().put("targetId", targetId), null);
        }
    }

    private Chromium(Process process, String url) throws Exception {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url), new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Starts a headless Chromium with a profile in {@code dir}; fails the test when none is installed. */
    public static Chromium start(Path dir, int width, int height) throws Exception {
        String binary = find();
        List<String> command = new java.util.ArrayList<>(List.of(binary, "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + dir.toAbsolutePath(), "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--window-size=" + width + "," + height, "about:blank"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add(1, "--no-sandbox"); // Chromium refuses to run as root with its sandbox
        }
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    } else if (!url.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the browser ended
            }
            url.completeExceptionally(new IllegalStateException("Chromium ended before it listened:\n" + seen));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Chromium(p, url.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static String find() {
        String configured = System.getProperty("cdc.chromium");
        if (configured != null) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : NAMES) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("No Chromium found on the PATH (" + String.join(", ", NAMES) + "): the browser test needs "
                + "a real browser. Install it with 'apt-get install -y chromium' (.ci/run does), or pass -Dcdc.chromium=<path>");
    }

    /** Opens {@code url} in a new tab. */
    public Tab open(String url) {
        String target = call("Target.createTarget", MAPPER.createObjectNode().put("url", url), null)
                .path("targetId").asText();
        String session = call("Target.attachToTarget", MAPPER.createObjectNode().put("targetId", target)
                .put("flatten", true), null).path("sessionId").asText();
        return new Tab(target, session);
    }

    private JsonNode call(String method, ObjectNode params, String sessionId) {
        int id = ids.incrementAndGet();
        ObjectNode message = MAPPER.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        try {
            synchronized (socket) {
                socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
            }
            JsonNode reply = answer.get(30, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(method + " got no answer: " + e, e);
        } finally {
            calls.remove(id);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode message = MAPPER.readTree(text.toString());
                    CompletableFuture<JsonNode> call = message.has("id") ? calls.get(message.get("id").asInt()) : null;
                    if (call != null) {
                        call.complete(message);
                    }
                } catch (IOException e) {
                    // not JSON: not an answer
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            call("Browser.close", MAPPER.createObjectNode(), null);
        } catch (RuntimeException e) {
            // it may close the socket before it answers
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
