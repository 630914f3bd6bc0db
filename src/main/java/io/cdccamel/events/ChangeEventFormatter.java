package io.cdccamel.events;

/**
 * Turns a record into the text the seed tutorial's Go consumer printed:
 * {@code Message on [ Topic: T , Partition: P, Offset: O ] } followed, on the same line, by the
 * envelope as indented JSON (Go's {@code Printf} then {@code Println}). Plain Java, called by
 * {@code io.cdccamel.route.PrintChangeEvents} for each record of a poll.
 */
public class ChangeEventFormatter {

    /** The header line, exactly as the Go program's {@code Printf} wrote it (note the space before the comma). */
    public String header(String topic, int partition, long offset) {
        return "Message on [ Topic: " + topic + " , Partition: " + partition + ", Offset: " + offset + " ] ";
    }

    /** Header and envelope, ending with a newline. */
    public String format(String topic, int partition, long offset, ChangeEvent event) {
        return formatTo(new StringBuilder(1024), topic, partition, offset, event).toString();
    }

    /** {@link #format}, appended to {@code out} (no copy of the text per record). */
    public StringBuilder formatTo(StringBuilder out, String topic, int partition, long offset, ChangeEvent event) {
        out.append(header(topic, partition, offset));
        if (event.operation() == io.debezium.data.Envelope.Operation.MESSAGE) {
            addMessageText(event.payload().path("message"));
        }
        GoJsonWriter.write(event.payload(), out, 0);
        return out.append('\n');
    }

    /**
     * A logical decoding message ({@code pg_logical_emit_message}) carries bytes, which Debezium
     * sends as hex ({@code binary.handling.mode: hex}): when they are UTF-8 text, that text is
     * printed beside them as {@code content_text}; {@code content} stays as it came.
     */
    static void addMessageText(com.fasterxml.jackson.databind.JsonNode message) {
        if (!(message instanceof com.fasterxml.jackson.databind.node.ObjectNode node) || !message.path("content").isTextual()) {
            return;
        }
        String hex = message.path("content").textValue();
        if (hex.length() % 2 != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return;
        }
        try {
            String text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(java.util.HexFormat.of().parseHex(hex))).toString();
            node.put("content_text", text);
        } catch (java.nio.charset.CharacterCodingException e) {
            // not UTF-8: the hex alone
        }
    }

    /** One line for a null value: the marker Debezium sends after a delete so that compaction can drop the key. */
    public String formatTombstone(String topic, int partition, long offset, String key) {
        return header(topic, partition, offset) + "tombstone (null value) for key " + key + "\n";
    }

    /** One line for the dead-letter log: where the record was, and why it was not printed. */
    public String formatDeadLetter(String topic, int partition, long offset, String reason, String valuePreview) {
        return "Dead letter on [ Topic: " + topic + " , Partition: " + partition + ", Offset: " + offset + " ] reason: "
                + oneLine(reason) + " | value: " + valuePreview + "\n";
    }

    private static String oneLine(String text) {
        return text == null ? "unknown" : text.replace('\n', ' ').replace('\r', ' ');
    }
}
