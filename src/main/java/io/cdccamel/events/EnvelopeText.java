package io.cdccamel.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.debezium.data.Envelope;

import java.io.IOException;
import java.util.Arrays;

/**
 * A change event's value printed straight from its bytes, token by token, as {@link GoJsonWriter}
 * prints the tree that {@link ExactJson}'s mapper reads from the same bytes: no tree is built (its
 * nodes and maps were most of the route's garbage per event, bench/README, issue 25). Each object's
 * fields are printed as they come, then put in Go's key order; a key given twice keeps its last
 * value, as the tree does.
 * <p>
 * It handles the usual envelope only: a JSON object with a known {@code op} other than {@code m}, not
 * wrapped as {@code {"schema": ..., "payload": ...}}, with nothing after it. For anything else it
 * answers null and the caller reads the tree ({@link ChangeEvent#of}), which prints the rarer shapes
 * and words the error of a bad value: so both ways print the same text and refuse the same values.
 */
public final class EnvelopeText {

    /** An envelope as printed (no header, no newline), and its operation. */
    public record Printed(Envelope.Operation operation, String text) {
    }

    private EnvelopeText() {
    }

    /**
     * @param factory the factory of {@link ExactJson}'s mapper (its limits: nesting depth, string length)
     * @return the printed envelope, or null when the value is to be read as a tree
     */
    public static Printed print(JsonFactory factory, byte[] value) {
        try (JsonParser p = factory.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            StringBuilder out = new StringBuilder(value.length + (value.length >> 1));
            Root root = new Root();
            writeObject(p, out, 0, root);
            if (p.nextToken() != null || root.schema && root.payload || root.op == null) {
                return null;
            }
            Envelope.Operation operation = Envelope.Operation.forCode(root.op);
            if (operation == null || operation == Envelope.Operation.MESSAGE) {
                return null;
            }
            return new Printed(operation, out.toString());
        } catch (IOException | RuntimeException e) {
            // not JSON, cut short, too deep...: the tree's reading says how
            return null;
        }
    }

    /** What the top level holds that decides whether this is the usual envelope. */
    private static final class Root {
        private String op;
        private boolean schema;
        private boolean payload;

        void field(String key, JsonToken token, JsonParser p) throws IOException {
            switch (key) {
                // the tree keeps a key's last value: an op that is not a string makes the envelope invalid
                case "op" -> op = token == JsonToken.VALUE_STRING ? p.getText() : null;
                case "schema" -> schema = true;
                case "payload" -> payload = true;
                default -> {
                }
            }
        }
    }

    private static void writeValue(JsonParser p, JsonToken token, StringBuilder out, int depth) throws IOException {
        switch (token) {
            case START_OBJECT -> writeObject(p, out, depth, null);
            case START_ARRAY -> writeArray(p, out, depth);
            case VALUE_STRING -> GoJsonWriter.quote(p.getText(), out);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.append(p.getText()); // the literal, as ExactNumberNode keeps it
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("Unexpected JSON token " + token);
        }
    }

    /**
     * Prints each field as {@code "key": value} at the end of {@code out}, remembering where each
     * starts, then, unless they came in Go's order already, prints them again in that order.
     */
    private static void writeObject(JsonParser p, StringBuilder out, int depth, Root root) throws IOException {
        int start = out.length();
        String[] keys = new String[8];
        int[] bounds = new int[16];
        int n = 0;
        boolean ordered = true;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (root != null) {
                root.field(key, value, p);
            }
            if (n == keys.length) {
                keys = Arrays.copyOf(keys, n * 2);
                bounds = Arrays.copyOf(bounds, n * 4);
            }
            ordered &= n == 0 || GoJsonWriter.compareUtf8(keys[n - 1], key) < 0;
            keys[n] = key;
            bounds[2 * n] = out.length();
            out.append(n == 0 ? "{\n" : ",\n");
            GoJsonWriter.indent(out, depth + 1);
            GoJsonWriter.quote(key, out);
            out.append(": ");
            writeValue(p, value, out, depth + 1);
            bounds[2 * n + 1] = out.length();
            n++;
        }
        if (token != JsonToken.END_OBJECT) {
            throw new IOException("Unexpected JSON token " + token);
        }
        if (n == 0) {
            out.append("{}");
            return;
        }
        if (!ordered) {
            reorder(out, start, keys, bounds, n);
        }
        out.append('\n');
        GoJsonWriter.indent(out, depth);
        out.append('}');
    }

    /** The fields printed from {@code start} on, again in Go's key order, a repeated key's last value alone. */
    private static void reorder(StringBuilder out, int start, String[] keys, int[] bounds, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // stable: a repeated key's fields stay in input order, and the last one is kept below
        Arrays.sort(order, (a, b) -> GoJsonWriter.compareUtf8(keys[a], keys[b]));
        String printed = out.substring(start);
        out.setLength(start);
        boolean first = true;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (k + 1 < n && keys[order[k + 1]].equals(keys[i])) {
                continue;
            }
            // each field was printed after "{\n" or ",\n": two chars, then its indent, key and value
            out.append(first ? "{\n" : ",\n");
            out.append(printed, bounds[2 * i] - start + 2, bounds[2 * i + 1] - start);
            first = false;
        }
    }

    private static void writeArray(JsonParser p, StringBuilder out, int depth) throws IOException {
        JsonToken token = p.nextToken();
        if (token == JsonToken.END_ARRAY) {
            out.append("[]");
            return;
        }
        out.append('[');
        String separator = "\n";
        for (; token != JsonToken.END_ARRAY; token = p.nextToken()) {
            out.append(separator);
            GoJsonWriter.indent(out, depth + 1);
            writeValue(p, token, out, depth + 1);
            separator = ",\n";
        }
        out.append('\n');
        GoJsonWriter.indent(out, depth);
        out.append(']');
    }
}
