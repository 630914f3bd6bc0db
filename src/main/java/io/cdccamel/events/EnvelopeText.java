package io.cdccamel.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.debezium.data.Envelope;

import java.io.IOException;
import java.util.Arrays;

/**
 * A change event's value printed straight from its bytes, token by token, as {@link GoJsonWriter}
 * prints the tree that {@link ExactJson}'s mapper reads from the same bytes, with its punctuation,
 * key order, quoting and indentation (one definition of the format, two walkers: this one of
 * tokens, GoJsonWriter's of a tree): no tree is built (its
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

    /**
     * Values above this size are printed through the tree, as before (BigRowsIT measured the memory of
     * 50 MB rows that way): here a value is copied once per level of nesting, through the level's buffer.
     */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    /** Scratch text beyond this many chars is not kept for the next envelope. */
    private static final int KEPT_SCRATCH_CHARS = 1 << 20;

    /** Per thread: a field buffer per nesting depth, reused from envelope to envelope. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private EnvelopeText() {
    }

    /**
     * Appends the envelope as printed (no header, no newline) to {@code out}.
     *
     * @param factory the factory of {@link ExactJson}'s mapper (its limits: nesting depth, string length)
     * @return its operation; or null, {@code out} as it was, when the value is to be read as a tree
     */
    public static Envelope.Operation print(JsonFactory factory, byte[] value, StringBuilder out) {
        int before = out.length();
        Scratch scratch = SCRATCH.get();
        try (JsonParser p = factory.createParser(value)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                Root root = new Root();
                writeObject(p, out, 0, root, scratch);
                if (p.nextToken() == null && !(root.schema && root.payload) && root.op != null) {
                    Envelope.Operation operation = Envelope.Operation.forCode(root.op);
                    if (operation != null && operation != Envelope.Operation.MESSAGE) {
                        return operation;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON, cut short, too deep...: the tree's reading says how
        } finally {
            scratch.trim();
        }
        out.setLength(before);
        return null;
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

    /** An object's fields as printed, one buffer per depth: each object finishes before a sibling starts. */
    private static final class Scratch {
        private StringBuilder[] fields = new StringBuilder[0];
        private String[][] keys = new String[0][];
        private int[][] bounds = new int[0][];

        StringBuilder fields(int depth) {
            if (depth >= fields.length) {
                int n = Math.max(depth + 1, fields.length * 2);
                fields = Arrays.copyOf(fields, n);
                keys = Arrays.copyOf(keys, n);
                bounds = Arrays.copyOf(bounds, n);
            }
            if (fields[depth] == null) {
                fields[depth] = new StringBuilder(1024);
                keys[depth] = new String[16];
                bounds[depth] = new int[32];
            }
            fields[depth].setLength(0);
            return fields[depth];
        }

        void trim() {
            for (int d = 0; d < fields.length; d++) {
                if (fields[d] != null && fields[d].capacity() > KEPT_SCRATCH_CHARS) {
                    fields[d] = null;
                }
            }
        }
    }

    private static void writeValue(JsonParser p, JsonToken token, StringBuilder out, int depth, Scratch scratch)
            throws IOException {
        switch (token) {
            case START_OBJECT -> writeObject(p, out, depth, null, scratch);
            case START_ARRAY -> writeArray(p, out, depth, scratch);
            case VALUE_STRING -> GoJsonWriter.quote(p.getText(), out);
            // the literal, as ExactNumberNode keeps it
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("Unexpected JSON token " + token);
        }
    }

    /**
     * Prints each field as {@code "key": value} into the depth's buffer, remembering where each one
     * is, then appends them to {@code out} in Go's key order, a repeated key's last value alone.
     */
    private static void writeObject(JsonParser p, StringBuilder out, int depth, Root root, Scratch scratch) throws IOException {
        StringBuilder fields = scratch.fields(depth);
        int n = 0;
        boolean ordered = true;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (root != null) {
                root.field(key, value, p);
            }
            if (n == scratch.keys[depth].length) {
                scratch.keys[depth] = Arrays.copyOf(scratch.keys[depth], n * 2);
                scratch.bounds[depth] = Arrays.copyOf(scratch.bounds[depth], n * 4);
            }
            String[] keys = scratch.keys[depth];
            ordered &= n == 0 || GoJsonWriter.compareUtf8(keys[n - 1], key) < 0;
            keys[n] = key;
            scratch.bounds[depth][2 * n] = fields.length();
            GoJsonWriter.key(fields, depth, key);
            writeValue(p, value, fields, depth + 1, scratch);
            scratch.bounds[depth][2 * n + 1] = fields.length();
            n++;
        }
        if (token != JsonToken.END_OBJECT) {
            throw new IOException("Unexpected JSON token " + token);
        }
        if (n == 0) {
            out.append(GoJsonWriter.EMPTY_OBJECT);
            return;
        }
        String[] keys = scratch.keys[depth];
        int[] bounds = scratch.bounds[depth];
        int[] order = ordered ? null : goOrder(keys, n);
        out.append('{');
        boolean first = true;
        for (int k = 0; k < n; k++) {
            int i = order == null ? k : order[k];
            if (order != null && k + 1 < n && keys[order[k + 1]].equals(keys[i])) {
                continue; // a repeated key: its last value only
            }
            GoJsonWriter.separator(out, first);
            out.append(fields, bounds[2 * i], bounds[2 * i + 1]);
            first = false;
        }
        GoJsonWriter.close(out, depth, '}');
        Arrays.fill(keys, 0, n, null); // a hostile key of megabytes is not kept for the next envelope
    }

    /** The fields' indexes in Go's key order; stable, so that a repeated key's fields stay in input order. */
    private static int[] goOrder(String[] keys, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> GoJsonWriter.compareUtf8(keys[a], keys[b]));
        int[] sorted = new int[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = order[i];
        }
        return sorted;
    }

    private static void writeArray(JsonParser p, StringBuilder out, int depth, Scratch scratch) throws IOException {
        JsonToken token = p.nextToken();
        if (token == JsonToken.END_ARRAY) {
            out.append(GoJsonWriter.EMPTY_ARRAY);
            return;
        }
        out.append('[');
        boolean first = true;
        for (; token != JsonToken.END_ARRAY; token = p.nextToken()) {
            if (token == null) {
                throw new IOException("Truncated JSON: input ended inside an array");
            }
            GoJsonWriter.separator(out, first);
            GoJsonWriter.indent(out, depth + 1);
            writeValue(p, token, out, depth + 1, scratch);
            first = false;
        }
        GoJsonWriter.close(out, depth, ']');
    }
}
