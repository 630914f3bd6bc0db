package io.cdccamel.settings;

import java.nio.file.Path;

/**
 * {@code cdc.output.*}: where the printed events are written, and how.
 *
 * @param dir      {@code cdc.output.dir}: {@code <topic>.log}, {@code dead-letter.log} and the positions journal
 * @param sync     {@code cdc.output.sync}: sync the files before their offsets are committed
 * @param maxBytes {@code cdc.output.max-bytes}: rotate a file before a batch takes it past this; 0 never
 */
public record OutputSettings(Path dir, boolean sync, long maxBytes) {

    public static final String DIR = "cdc.output.dir";
    public static final String SYNC = "cdc.output.sync";
    public static final String MAX_BYTES = "cdc.output.max-bytes";

    public static OutputSettings read(SettingsReader settings) {
        return new OutputSettings(Path.of(settings.text(DIR, "output")), settings.flag(SYNC, true),
                settings.whole(MAX_BYTES, 0, 0));
    }
}
