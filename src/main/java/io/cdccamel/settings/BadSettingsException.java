package io.cdccamel.settings;

import java.util.List;

/** Settings the app cannot start with: one line per bad value, each naming the setting, its value and what is allowed. */
public class BadSettingsException extends IllegalArgumentException {

    private final List<String> lines;

    public BadSettingsException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    public List<String> lines() {
        return lines;
    }
}
