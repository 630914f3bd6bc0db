package io.cdccamel.ops;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container image's health check: {@code java -cp /app/classes io.cdccamel.ops.ReadyProbe} exits 0
 * when {@code GET /observe/health/ready} of the app in the same container answers 200, else 1 with
 * the reason on stderr. JDK classes only, so that it needs no shell, curl or wget in the image.
 * The port is {@code CDC_API_PORT} (default 8090), as the app reads it.
 */
public final class ReadyProbe {

    static final String PATH = "/observe/health/ready";

    private ReadyProbe() {
    }

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("CDC_API_PORT", "8090");
        System.exit(check("http://127.0.0.1:" + port.strip() + PATH));
    }

    /** 0 when {@code url} answers 200 within 5 s, else 1. */
    static int check(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            int status = c.getResponseCode();
            c.disconnect();
            if (status == 200) {
                return 0;
            }
            System.err.println("cdc-camel ready probe: " + url + " answered " + status);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("cdc-camel ready probe: " + url + ": " + e);
        }
        return 1;
    }
}
