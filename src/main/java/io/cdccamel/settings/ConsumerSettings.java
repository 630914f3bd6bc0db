package io.cdccamel.settings;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * {@code cdc.topics*} and {@code cdc.consumer.*}: what route print-change-events reads, and how.
 *
 * @param topics               {@code cdc.topics}: a regular expression or topic names; empty until the
 *                             capture sets it to the topics the connector writes
 * @param topicsPattern        {@code cdc.topics.pattern}: {@code topics} is a regular expression
 * @param group                {@code cdc.consumer.group}
 * @param threads              {@code cdc.consumer.threads}
 * @param batchSize            {@code cdc.consumer.batch.size}: Kafka's {@code max.poll.records}
 * @param batchWaitMillis      {@code cdc.consumer.batch.wait.ms}
 * @param sessionTimeoutMillis {@code cdc.consumer.session-timeout.ms}
 * @param failOnLostOffsets    {@code cdc.consumer.on-lost-offsets=fail} (the default; else {@code continue})
 * @param lostOffsetsCheckMillis {@code cdc.consumer.lost-offsets-check.ms}; 0: not checked
 */
public record ConsumerSettings(String topics, boolean topicsPattern, String group, int threads, int batchSize,
                               int batchWaitMillis, long sessionTimeoutMillis, boolean failOnLostOffsets,
                               long lostOffsetsCheckMillis) {

    public static final String TOPICS = "cdc.topics";
    public static final String TOPICS_PATTERN = "cdc.topics.pattern";
    public static final String GROUP = "cdc.consumer.group";
    static final String DEFAULT_GROUP = "cdc-camel";
    public static final String THREADS = "cdc.consumer.threads";
    public static final String BATCH_SIZE = "cdc.consumer.batch.size";
    public static final String BATCH_WAIT_MS = "cdc.consumer.batch.wait.ms";
    public static final String SESSION_TIMEOUT_MS = "cdc.consumer.session-timeout.ms";
    public static final String ON_LOST_OFFSETS = "cdc.consumer.on-lost-offsets";
    public static final String LOST_OFFSETS_CHECK_MS = "cdc.consumer.lost-offsets-check.ms";

    public static ConsumerSettings read(SettingsReader settings) {
        String group = settings.required(GROUP, DEFAULT_GROUP, "must name a consumer group");
        String topics = settings.text(TOPICS, "");
        boolean topicsPattern = settings.flag(TOPICS_PATTERN, true);
        if (topicsPattern) {
            try {
                Pattern.compile(topics);
            } catch (PatternSyntaxException e) {
                settings.problem(TOPICS + " must be a regular expression (" + TOPICS_PATTERN + "=true), not '" + topics + "': "
                        + e.getDescription());
                topics = "";
            }
        }
        return new ConsumerSettings(topics, topicsPattern, group,
                settings.number(THREADS, 3, 1), settings.number(BATCH_SIZE, 500, 1), settings.number(BATCH_WAIT_MS, 10, 0),
                settings.whole(SESSION_TIMEOUT_MS, 10000, 1),
                "fail".equals(settings.choice(ON_LOST_OFFSETS, "fail", "continue", "fail")),
                settings.whole(LOST_OFFSETS_CHECK_MS, 30000, 0));
    }

    /** The printed topics as one regular expression ({@code cdc.topics} is one, or a list of names). */
    public Pattern topicRegex() {
        return topicRegex(topics, topicsPattern);
    }

    /** {@code topics} as one regular expression: itself when {@code isPattern}, else its names, quoted. */
    public static Pattern topicRegex(String topics, boolean isPattern) {
        if (isPattern) {
            return Pattern.compile(topics);
        }
        return Pattern.compile(Arrays.stream(topics.split("\\s*,\\s*")).map(Pattern::quote).collect(Collectors.joining("|")));
    }
}
