package io.cdccamel.it;

import io.cdccamel.testing.Superuser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdccamel.connect.ConnectorRegistration;
import io.cdccamel.events.ExactJson;
import io.cdccamel.it.OutputEntries.Entry;
import io.cdccamel.stack.ConnectorRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The type table of docs/output.md, kept true: for each row, the value inserted into a column of that
 * PostgreSQL type reads back in psql ({@code SELECT col::text}) as the table says, and the route
 * prints it as the table says. Also TRUNCATE and a large TOASTed value left unchanged by an update.
 */
@ExtendWith(EmbeddedStackExtension.class)
class TypesIT {

    private static final ObjectMapper MAPPER = ExactJson.newObjectMapper();
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| `(.+?)` \\| `(.*?)` \\| `(.+)` \\|$");
    private static final String SCHEMA = "it_types";

    @RegisterExtension
    final AppsUnderTest apps = new AppsUnderTest();

    record TypeRow(String type, String literal, String psql, String printed) {
    }

    static List<TypeRow> typeTable() throws Exception {
        String doc = Files.readString(Path.of("docs/output.md"));
        String table = doc.substring(doc.indexOf("<!-- types:begin -->"), doc.indexOf("<!-- types:end -->"));
        List<TypeRow> rows = new ArrayList<>();
        for (String line : table.split("\n")) {
            Matcher m = ROW.matcher(line.trim());
            if (m.matches()) {
                rows.add(new TypeRow(m.group(1), m.group(2), m.group(3), m.group(4)));
            }
        }
        return rows;
    }

    private static Connection connect() throws Exception {
        Connection c = Superuser.connect(EmbeddedStackExtension.stack());
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path = " + SCHEMA + ", public");
        }
        return c;
    }

    @Test
    void shouldPrintEveryTypeOfTheTypeTableAsItSays() throws Exception {
        List<TypeRow> rows = typeTable();
        assertThat(rows).as("rows of the type table in docs/output.md").hasSizeGreaterThanOrEqualTo(30);
        Db.exec("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA,
                "CREATE EXTENSION IF NOT EXISTS hstore SCHEMA public",
                "CREATE TYPE " + SCHEMA + ".mood AS ENUM ('sad', 'ok', 'happy')",
                "GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + ConnectorRole.ROLE,
                "ALTER DEFAULT PRIVILEGES IN SCHEMA " + SCHEMA + " GRANT SELECT ON TABLES TO " + ConnectorRole.ROLE);
        StringBuilder create = new StringBuilder("CREATE TABLE types (id int PRIMARY KEY, toast text, lines text");
        StringBuilder insert = new StringBuilder("INSERT INTO types VALUES (1, repeat('x', 100000), E'one\\ntwo\\r\\n\\tthree \\\\ \\u2713'");
        for (int i = 0; i < rows.size(); i++) {
            create.append(", c").append(i).append(' ').append(rows.get(i).type());
            insert.append(", ").append(rows.get(i).literal());
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(create.append(')').toString());
            s.execute("ALTER TABLE types REPLICA IDENTITY FULL");
            for (int i = 0; i < rows.size(); i++) {
                try (ResultSet rs = s.executeQuery("SELECT (" + rows.get(i).literal() + ")::" + rows.get(i).type() + "::text")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("psql shows, for %s", rows.get(i)).isEqualTo(rows.get(i).psql());
                }
            }
        }
        Db.ensurePublication("pub_types_connector", SCHEMA);
        TestApp app = apps.start(SCHEMA, "types_connector", "types", false, Map.of("cdc.topics", "postgres." + SCHEMA + ".types"));
        await().atMost(Duration.ofSeconds(90)).until(() -> app.registration().state() == ConnectorRegistration.State.RUNNING);

        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(insert.append(')').toString());
            s.execute("UPDATE types SET c0 = c0 WHERE id = 1"); // the TOASTed column is left as it is
            s.execute("TRUNCATE types");
        }
        Path file = app.outputDir.resolve("postgres." + SCHEMA + ".types.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> OutputEntries.countOp(file, "t") >= 1 && OutputEntries.countOp(file, "u") >= 1);

        List<Entry> entries = OutputEntries.read(file);
        JsonNode created = entries.stream().filter(e -> "c".equals(e.op())).findFirst().orElseThrow().json().path("after");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String printed = MAPPER.writeValueAsString(created.path("c" + i));
            if (!printed.equals(rows.get(i).printed())) {
                wrong.add(rows.get(i).type() + " " + rows.get(i).literal() + ": printed " + printed + ", docs/output.md says " + rows.get(i).printed());
            }
        }
        assertThat(wrong).as("types printed otherwise than docs/output.md says").isEmpty();
        assertThat(created.path("lines").asText()).as("newlines, a tab, a backslash, a check mark")
                .isEqualTo("one\ntwo\r\n\tthree \\ \u2713");
        JsonNode updated = entries.stream().filter(e -> "u".equals(e.op())).findFirst().orElseThrow().json();
        assertThat(updated.path("after").path("toast").asText()).as("a TOASTed value the update left alone").hasSize(100_000);
        assertThat(updated.path("before").path("toast").asText()).hasSize(100_000);
        Entry truncate = entries.stream().filter(e -> "t".equals(e.op())).findFirst().orElseThrow();
        assertThat(truncate.json().path("source").path("table").asText()).isEqualTo("types");
    }
}
