package io.cdccamel.connect;

import java.time.Instant;

/**
 * Who paused the connector through this app's API, and when: Kafka Connect keeps the pause (its
 * target state) but not who asked for it. Kept in memory: after a restart of the app a paused
 * connector reads as paused outside this app.
 *
 * @param by     the caller: the live page or a bearer token, with the client's address
 * @param at     when the pause was asked for
 * @param reason the caller's own words ({@code ?reason=}), or null
 */
public record PauseNote(String by, Instant at, String reason) {

    /** "the live page (127.0.0.1) at 2026-12-05T07:40:12Z: nightly load" */
    public String describe() {
        return by + " at " + at + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    }
}
