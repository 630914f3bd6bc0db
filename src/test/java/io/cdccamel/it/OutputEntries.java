package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The entries of an output file, read back: header position and the printed envelope. */
final class OutputEntries {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();
    private static final Pattern HEADER = Pattern.compile(
            "^(.*?)Message on \\[ Topic: (\\S+) , Partition: (\\d+), Offset: (\\d+) \\] ", Pattern.MULTILINE);

    /** One printed record; {@code json} is null for a tombstone. */
    record Entry(String prefix, String topic, int partition, long offset, String text, JsonNode json) {
        String op() {
            return json == null ? null : json.path("op").asText(null);
        }

        JsonNode row() {
            return json == null ? null : json.path("d".equals(op()) ? "before" : "after");
        }

        boolean isTombstone() {
            return json == null;
        }
    }

    private OutputEntries() {
    }

    /** Entries with this {@code op} in the file, counted without parsing (the file grows to MBs). */
    static int countOp(Path file, String op) {
        if (!Files.exists(file)) {
            return 0;
        }
        String marker = "\n\t\"op\": \"" + op + "\",\n";
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int count = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
            count++;
        }
        return count;
    }

    static List<Entry> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        String content;
        try {
            content = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> entries = new ArrayList<>();
        Matcher m = HEADER.matcher(content);
        List<int[]> bounds = new ArrayList<>();
        List<String[]> headers = new ArrayList<>();
        while (m.find()) {
            bounds.add(new int[] {m.start(), m.end()});
            headers.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        for (int i = 0; i < bounds.size(); i++) {
            int end = i + 1 < bounds.size() ? bounds.get(i + 1)[0] : content.length();
            String text = content.substring(bounds.get(i)[1], end);
            if (!text.endsWith("\n")) {
                break; // the last entry is still being written
            }
            String[] h = headers.get(i);
            JsonNode json = null;
            if (!text.startsWith("tombstone")) {
                try {
                    json = MAPPER.readValue(text, JsonNode.class);
                } catch (IOException e) {
                    throw new UncheckedIOException("Entry at offset " + h[3] + " is not JSON: " + text, e);
                }
            }
            entries.add(new Entry(h[0], h[1], Integer.parseInt(h[2]), Long.parseLong(h[3]), text, json));
        }
        return entries;
    }
}
