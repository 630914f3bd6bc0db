package io.cdccamel.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a JSON tree as Go's {@code json.MarshalIndent(raw, "", "\t")} wrote the seed tutorial's
 * {@code map[string]interface{}}: keys sorted by their UTF-8 bytes, one tab per level, {@code ": "}.
 * Two Go quirks are deliberately not copied: numbers keep their exact text (Go rounded them through
 * float64) and {@code < > &} print as themselves (Go wrote {@code \u003c}...). One escape is added:
 * U+0085 (NEL), which Go leaves as it is, prints as {@code \u0085}, like U+2028 and U+2029, so that
 * no tool that breaks lines on them sees a value's text start a line of its own.
 */
public final class GoJsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJsonWriter() {
    }

    public static String write(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, 0);
        return out.toString();
    }

    public static void write(JsonNode node, StringBuilder out, int depth) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isObject()) {
            writeObject(node, out, depth);
        } else if (node.isArray()) {
            writeArray(node, out, depth);
        } else if (node.isTextual()) {
            quote(node.textValue(), out);
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else {
            String literal = ExactJson.numberLiteral(node);
            if (literal != null) {
                out.append(literal);
            } else {
                quote(node.asText(), out);
            }
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, int depth) {
        if (node.isEmpty()) {
            out.append(EMPTY_OBJECT);
            return;
        }
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.size());
        node.fields().forEachRemaining(fields::add);
        fields.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : fields) {
            separator(out, first);
            key(out, depth, field.getKey());
            write(field.getValue(), out, depth + 1);
            first = false;
        }
        close(out, depth, '}');
    }

    private static void writeArray(JsonNode node, StringBuilder out, int depth) {
        if (node.isEmpty()) {
            out.append(EMPTY_ARRAY);
            return;
        }
        out.append('[');
        boolean first = true;
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            separator(out, first);
            indent(out, depth + 1);
            write(it.next(), out, depth + 1);
            first = false;
        }
        close(out, depth, ']');
    }

    // The format's punctuation, in one place: this class walks a tree with it, EnvelopeText a value's
    // tokens (an object's fields put in order by compareUtf8), and both print the same text.

    /** An object or array with nothing in it. */
    static final String EMPTY_OBJECT = "{}";
    static final String EMPTY_ARRAY = "[]";

    /** Before each member of an object or array, after its opening bracket. */
    static void separator(StringBuilder out, boolean first) {
        out.append(first ? "\n" : ",\n");
    }

    /** A field of an object at {@code depth}, up to its value: indented one level deeper, {@code "key": }. */
    static void key(StringBuilder out, int depth, String key) {
        indent(out, depth + 1);
        quote(key, out);
        out.append(": ");
    }

    /** The end of an object or array at {@code depth} that has members. */
    static void close(StringBuilder out, int depth, char bracket) {
        out.append('\n');
        indent(out, depth);
        out.append(bracket);
    }

    private static final String TABS = "\t".repeat(64);

    static void indent(StringBuilder out, int depth) {
        for (int left = depth; left > 0; left -= TABS.length()) {
            out.append(TABS, 0, Math.min(left, TABS.length()));
        }
    }

    /**
     * Go sorts map keys as byte strings; comparing code points gives the same order as UTF-8 bytes.
     * Comparing UTF-16 chars gives it too, unless a surrogate is involved where they first differ.
     */
    static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int k = 0; k < n; k++) {
            char ca = a.charAt(k);
            char cb = b.charAt(k);
            if (ca != cb) {
                return Character.isSurrogate(ca) || Character.isSurrogate(cb) ? compareCodePoints(a, b) : ca - cb;
            }
        }
        return a.length() - b.length();
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** {@code s} as a JSON string, quoted and escaped as {@link #write} prints values: always one line. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        quote(s, out);
        return out.toString();
    }

    /**
     * {@code s} on one line, escaped as a value's text is but without quotes and with {@code "} as
     * itself: for text outside JSON (a tombstone's key, a dead letter's reason).
     */
    public static String escapeLine(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        escape(s, out, false);
        return out.toString();
    }

    /** Go's string encoding (encoding/json, Go 1.22+) without its HTML escaping, plus U+0085. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        escape(s, out, true);
        out.append('"');
    }

    private static void escape(String s, StringBuilder out, boolean quoted) {
        int plain = 0;
        while (plain < s.length() && isPlain(s.charAt(plain))) {
            plain++;
        }
        if (plain == s.length()) {
            // most strings need no escape: appended in one copy
            out.append(s);
            return;
        }
        out.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append(quoted ? "\\\"" : "\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\u0085', '\u2028', '\u2029' -> unicodeEscape(c, out);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd"); // a lone surrogate is invalid UTF-16; Go writes U+FFFD
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    private static boolean isPlain(char c) {
        return c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c) && c != '\u0085' && c != '\u2028' && c != '\u2029';
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
