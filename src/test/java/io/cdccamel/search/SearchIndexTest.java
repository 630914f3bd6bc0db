package io.cdccamel.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchIndexTest {

    @TempDir
    Path dir;

    private static List<Long> offsets(SearchIndex index) throws IOException {
        List<Long> found = new ArrayList<>();
        index.scan(index.count(), (op, table, ts, hash) -> true, e -> found.add(e.offset()));
        return found;
    }

    private static SearchIndex filled(Path dir, int n) throws IOException {
        SearchIndex index = SearchIndex.create(dir);
        SearchIndex.FileState file = index.addFile("t.log", "first line\n".getBytes());
        SearchIndex.Table table = index.addTable("postgres.s.t", "s.t", List.of("id"));
        for (int i = 0; i < n; i++) {
            index.add((byte) 'c', table.id(), 1000 + i, 7, file.id(), i * 100L);
        }
        index.checkpoint(Map.of(file, new long[] {n * 100L, 1000 + n}));
        return index;
    }

    @Test
    void shouldReopenCheckpointedRecordsNewestFirstWithTheirTablesAndFiles() throws IOException {
        filled(dir, 3).close();

        try (SearchIndex index = SearchIndex.open(dir)) {
            assertThat(index.count()).isEqualTo(3);
            assertThat(offsets(index)).containsExactly(200L, 100L, 0L);
            assertThat(index.table("postgres.s.t").keyColumns()).containsExactly("id");
            assertThat(index.files().get(0).position()).isEqualTo(300);
            assertThat(Files.size(dir.resolve(SearchIndex.RECORDS))).isEqualTo(SearchIndex.HEADER + 3 * SearchIndex.RECORD);
        }
    }

    @Test
    void shouldWriteOwnerOnlyFiles() throws IOException {
        filled(dir, 1).close();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SearchIndex.RECORDS))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SearchIndex.CATALOG))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
    }

    @Test
    void shouldCutRecordsAfterTheLastCheckpointAndATornLastRecord() throws IOException {
        try (SearchIndex index = filled(dir, 3)) {
            SearchIndex.FileState file = index.files().get(0);
            index.add((byte) 'u', 1, 5000, 7, file.id(), 300);
            index.add((byte) 'u', 1, 5001, 7, file.id(), 400);
            index.flush(); // written, never checkpointed: a crash came here
            assertThat(index.count()).isEqualTo(5);
        }
        try (FileChannel c = FileChannel.open(dir.resolve(SearchIndex.RECORDS), StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.wrap(new byte[17])); // half a record
        }

        try (SearchIndex index = SearchIndex.open(dir)) {
            assertThat(index.count()).isEqualTo(3);
            assertThat(offsets(index)).containsExactly(200L, 100L, 0L);
            assertThat(index.files().get(0).position()).isEqualTo(300); // read again from here
        }
        assertThat(Files.size(dir.resolve(SearchIndex.RECORDS))).isEqualTo(SearchIndex.HEADER + 3 * SearchIndex.RECORD);
    }

    @Test
    void shouldCutATornLastCatalogFrameAtEveryLength() throws IOException {
        filled(dir, 2).close();
        byte[] whole = Files.readAllBytes(dir.resolve(SearchIndex.CATALOG));
        try (SearchIndex index = SearchIndex.open(dir)) {
            index.add((byte) 'd', 1, 9, 7, 1, 200);
            index.checkpoint(Map.of(index.files().get(0), new long[] {300, 9}));
        }
        byte[] longer = Files.readAllBytes(dir.resolve(SearchIndex.CATALOG));
        byte[] records = Files.readAllBytes(dir.resolve(SearchIndex.RECORDS));
        for (int cut = whole.length; cut < longer.length; cut++) {
            Files.write(dir.resolve(SearchIndex.CATALOG), java.util.Arrays.copyOf(longer, cut));
            Files.write(dir.resolve(SearchIndex.RECORDS), records);
            try (SearchIndex index = SearchIndex.open(dir)) {
                assertThat(index.count()).as("catalog cut at %d", cut).isEqualTo(2);
                assertThat(index.files().get(0).position()).isEqualTo(200);
            }
        }
    }

    @Test
    void shouldRefuseEveryFlippedByteOfARecord() throws IOException {
        filled(dir, 2).close();
        byte[] records = Files.readAllBytes(dir.resolve(SearchIndex.RECORDS));
        for (int at = SearchIndex.HEADER; at < records.length; at++) {
            byte[] flipped = records.clone();
            flipped[at] ^= 0x10;
            Files.write(dir.resolve(SearchIndex.RECORDS), flipped);
            int byteAt = at;
            assertThatThrownBy(() -> SearchIndex.open(dir).close()).as("byte %d flipped", byteAt)
                    .isInstanceOf(SearchIndex.DamagedIndexException.class).hasMessageContaining("damaged at record");
        }
    }

    @Test
    void shouldRefuseAFlippedByteInsideTheCatalog() throws IOException {
        filled(dir, 2).close();
        byte[] catalog = Files.readAllBytes(dir.resolve(SearchIndex.CATALOG));
        catalog[10] ^= 0x01; // in the first frame (the generation), followed by more frames: damage, not a torn tail
        Files.write(dir.resolve(SearchIndex.CATALOG), catalog);

        assertThatThrownBy(() -> SearchIndex.open(dir).close()).isInstanceOf(SearchIndex.DamagedIndexException.class);
    }

    @Test
    void shouldRefuseAMissingIndex() {
        assertThatThrownBy(() -> SearchIndex.open(dir.resolve("none"))).isInstanceOf(SearchIndex.DamagedIndexException.class);
    }

    @Test
    void shouldScanFromACursorPositionAndStopWhenTheVisitorSaysSo() throws IOException {
        try (SearchIndex index = filled(dir, 20000)) {
            List<Long> seen = new ArrayList<>();
            long stopped = index.scan(10001, (op, table, ts, hash) -> ts % 2 == 0, e -> {
                seen.add(e.position());
                return seen.size() < 3;
            });
            assertThat(seen).containsExactly(10000L, 9998L, 9996L);
            assertThat(stopped).isEqualTo(9996L);
        }
    }
}
