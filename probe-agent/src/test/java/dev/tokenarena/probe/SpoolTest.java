package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadRecordsInOrderFromCommittedOffsetWhenReopened() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(bytes("one"));
            long second = spool.append(bytes("two"));
            spool.append(bytes("three"));
            // frame = 8 header bytes + payload: "one" is 11 bytes, so "two" starts at offset 11.
            assertEquals(11, second);
            spool.commit(second, 1);
        }
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            List<Spool.Entry> read = spool.read(spool.committed(), 10);
            assertEquals(2, read.size());
            assertArrayEquals(bytes("two"), read.get(0).payload());
            assertArrayEquals(bytes("three"), read.get(1).payload());
            assertEquals(2, spool.pendingRecords());
            // 11 + 13 bytes: "two" (8 + 3) and "three" (8 + 5).
            assertEquals(24, spool.pendingBytes());
        }
    }

    @Test
    void shouldCutTornRecordWhenReopenedAfterCrashMidAppend() throws Exception {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            spool.append(bytes("kept"));
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        // A crash after the header and half the payload of a second record.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.allocate(10).putInt(100).putInt(7).put((byte) 1).put((byte) 2).flip());
        }
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            assertEquals(1, spool.pendingRecords());
            assertEquals(12, Files.size(segment), "8 header bytes + 4 payload bytes of the only whole record");
            spool.append(bytes("next"));
            List<Spool.Entry> read = spool.read(0, 10);
            assertEquals(List.of("kept", "next"), read.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList());
        }
    }

    @Test
    void shouldRefuseWithSettingNameWhenSpoolMaxBytesReached() {
        try (Spool spool = Spool.open(dir, 64 * 1024)) {
            byte[] tenK = new byte[10 * 1024];
            // 6 frames of 10,248 bytes = 61,488 <= 65,536; a 7th would make 71,736.
            for (int i = 0; i < 6; i++) {
                spool.append(tenK);
            }
            Spool.SpoolFullException full = assertThrows(Spool.SpoolFullException.class, () -> spool.append(tenK));
            assertTrue(full.getMessage().contains("spool.max.bytes=65536"), full.getMessage());
            assertTrue(full.getMessage().contains("6 records"), full.getMessage());
            assertEquals(6, spool.pendingRecords());
        }
    }

    @Test
    void shouldFreeSegmentsAndAcceptMoreWhenCommittedPastThem() throws Exception {
        // 64 KiB max -> 8 KiB segments, so two 5,008-byte frames (8 + 5,000) per segment.
        try (Spool spool = Spool.open(dir, 64 * 1024)) {
            byte[] fiveK = new byte[5000];
            // 13 frames = 65,104 bytes <= 65,536; a 14th would make 70,112.
            for (int i = 0; i < 13; i++) {
                spool.append(fiveK);
            }
            assertThrows(Spool.SpoolFullException.class, () -> spool.append(fiveK));
            // Delivering 10 frames (50,080 bytes) frees the 5 segments below that offset: 15,024 bytes stay.
            spool.commit(10 * 5008, 10);
            spool.append(fiveK);
            assertEquals(4, spool.pendingRecords());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(2, files.filter(p -> p.toString().endsWith(".seg")).count(),
                        "segments [50080, 60096) and [60096, end) remain");
            }
        }
    }

    @Test
    void shouldFailFastWhenAnotherAgentHoldsTheSpoolDir() {
        try (Spool spool = Spool.open(dir, 1 << 20)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Spool.open(dir, 1 << 20));
            assertTrue(e.getMessage().contains("spool.dir"), e.getMessage());
        }
    }
}
