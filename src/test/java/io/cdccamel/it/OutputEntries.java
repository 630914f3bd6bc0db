package io.cdccamel.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.events.ExactJson;
import io.cdccamel.events.OutputFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The entries of an output file, read back: header position and the printed envelope. */
final class OutputEntries {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();

    /** One printed record; {@code json} is null for a tombstone. */
    record Entry(String topic, int partition, long offset, String text, JsonNode json) {
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

    /** The file's whole entries, read back by the product's own {@link OutputFormat}. */
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
        for (OutputFormat.Entry e : OutputFormat.entries(content)) {
            JsonNode json = null;
            if (e.kind() == OutputFormat.Kind.EVENT) {
                try {
                    json = MAPPER.readValue(e.text(), JsonNode.class);
                } catch (IOException x) {
                    throw new UncheckedIOException("Entry at offset " + e.offset() + " is not JSON: " + e.text(), x);
                }
            }
            entries.add(new Entry(e.topic(), e.partition(), e.offset(), e.text(), json));
        }
        return entries;
    }
}
