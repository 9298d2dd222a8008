package dev.tokenarena.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, append-only queue of opaque records in a directory, read from the last committed
 * offset. Offsets are logical byte positions across all segments, so a record's offset never
 * changes and the commit is one number.
 *
 * <p>On disk: segments {@code <base offset>.seg}, each a run of frames
 * {@code [int payload length][int CRC32C of payload][payload]}; the committed offset in
 * {@code commit} ({@code [long offset][int CRC32C of the offset]}, replaced atomically); and a
 * {@code lock} file held for the spool's lifetime so two agents never share a directory.
 * Every append is forced to disk before it returns: a result the agent handed over survives a
 * crash. A frame torn by a crash (short, or bad CRC) can only be at the end of the last segment
 * and is cut off on open. Segments wholly below the committed offset are deleted.
 *
 * <p>Thread-safe: appends come from the agent's workers, reads and commits from one drainer.
 */
final class Spool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    static final int FRAME_HEADER_BYTES = 8;
    private static final String SUFFIX = ".seg";

    /** A record read from the spool: where it starts, where the next one starts, its payload. */
    record Entry(long offset, long nextOffset, byte[] payload) {
    }

    /** The spool holds spool.max.bytes and cannot take another record. */
    static final class SpoolFullException extends RuntimeException {
        SpoolFullException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Segments by base offset; the last one is the active (appended) one. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private FileChannel active;
    private long activeBase;
    private long end;
    private long committed;
    private long records;

    private Spool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IllegalStateException("spool.dir " + dir + " is in use by another probe agent; give each agent its own spool.dir");
        }
        lock = l;
    }

    /**
     * Opens (or creates) the spool in {@code dir}, cutting off a torn last frame.
     *
     * @param maxBytes bytes on disk the spool may hold (spool.max.bytes)
     */
    static Spool open(Path dir, long maxBytes) {
        // Segments small enough that acknowledged data is freed soon, large enough to keep file counts low.
        long segmentBytes = Math.max(4096, Math.min(64L * 1024 * 1024, maxBytes / 8));
        try {
            Spool spool = new Spool(dir, maxBytes, segmentBytes);
            spool.recover();
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the probe result spool in spool.dir=" + dir + ": " + e.getMessage(), e);
        }
    }

    private void recover() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(p -> {
                String name = p.getFileName().toString();
                segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), p);
            });
        }
        committed = readCommit();
        if (segments.isEmpty()) {
            long base = Math.max(0, committed);
            segments.put(base, segmentPath(base));
        }
        activeBase = segments.lastKey();
        active = FileChannel.open(segments.lastEntry().getValue(), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        long valid = validLength(active);
        if (valid < active.size()) {
            LOG.warn("spool {}: cut a torn record at the end of {} ({} bytes)", dir, segments.lastEntry().getValue(),
                    active.size() - valid);
            active.truncate(valid);
            active.force(true);
        }
        active.position(valid);
        end = activeBase + valid;
        if (committed < segments.firstKey() || committed > end) {
            // A commit file that does not match the segments (lost, or from elsewhere): resend
            // everything still on disk; the drainer's dedupe drops what Kafka already has.
            LOG.warn("spool {}: committed offset {} outside [{}, {}]; replaying from the first segment",
                    dir, committed, segments.firstKey(), end);
            committed = segments.firstKey();
        }
        records = 0;
        long pos = committed;
        while (true) {
            List<Entry> batch = read(pos, 1024);
            if (batch.isEmpty()) {
                break;
            }
            records += batch.size();
            pos = batch.get(batch.size() - 1).nextOffset();
        }
        deleteConsumedSegments();
    }

    /** Length of the prefix of whole frames with good CRCs. */
    private static long validLength(FileChannel ch) throws IOException {
        long pos = 0;
        long size = ch.size();
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        while (pos + FRAME_HEADER_BYTES <= size) {
            header.clear();
            ch.read(header, pos);
            header.flip();
            int length = header.getInt();
            int crc = header.getInt();
            if (length < 0 || pos + FRAME_HEADER_BYTES + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            ch.read(payload, pos + FRAME_HEADER_BYTES);
            if (crc(payload.array()) != crc) {
                break;
            }
            pos += FRAME_HEADER_BYTES + length;
        }
        return pos;
    }

    /**
     * Appends one record and forces it to disk.
     *
     * @throws SpoolFullException when it would take the spool over spool.max.bytes
     */
    synchronized long append(byte[] payload) {
        long frame = FRAME_HEADER_BYTES + (long) payload.length;
        long onDisk = end - segments.firstKey();
        if (onDisk + frame > maxBytes) {
            throw new SpoolFullException(String.format(Locale.ROOT,
                    "probe result spool full: spool.max.bytes=%d reached in %s (%d records, %d bytes waiting for Kafka); "
                            + "result dropped. Restore Kafka or raise spool.max.bytes", maxBytes, dir, records, end - committed));
        }
        try {
            if (end - activeBase >= segmentBytes) {
                roll();
            }
            ByteBuffer buf = ByteBuffer.allocate((int) frame);
            buf.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
            while (buf.hasRemaining()) {
                active.write(buf);
            }
            active.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the probe result spool in spool.dir=" + dir + ": " + e.getMessage(), e);
        }
        long offset = end;
        end += frame;
        records++;
        return offset;
    }

    private void roll() throws IOException {
        active.close();
        activeBase = end;
        Path path = segmentPath(activeBase);
        segments.put(activeBase, path);
        active = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Up to {@code max} records starting at {@code from} (an offset returned by this spool). */
    synchronized List<Entry> read(long from, int max) {
        List<Entry> out = new ArrayList<>();
        long pos = from;
        try {
            while (out.size() < max && pos < end) {
                var seg = segments.floorEntry(pos);
                long base = seg.getKey();
                Long nextBase = segments.higherKey(base);
                long segEnd = nextBase == null ? end : nextBase;
                if (pos >= segEnd) {
                    pos = segEnd;
                    continue;
                }
                try (FileChannel ch = base == activeBase ? null : FileChannel.open(seg.getValue(), StandardOpenOption.READ)) {
                    FileChannel src = ch == null ? active : ch;
                    while (out.size() < max && pos < segEnd) {
                        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
                        src.read(header, pos - base);
                        header.flip();
                        int length = header.getInt();
                        int crc = header.getInt();
                        ByteBuffer payload = ByteBuffer.allocate(length);
                        src.read(payload, pos - base + FRAME_HEADER_BYTES);
                        if (crc(payload.array()) != crc) {
                            // Only a damaged disk gets here (torn tails are cut on open). Frames
                            // after it cannot be trusted to line up: skip the rest of the segment.
                            LOG.error("spool {}: bad CRC at offset {}; skipping the rest of segment {} ({} bytes)",
                                    dir, pos, seg.getValue(), segEnd - pos);
                            pos = segEnd;
                            break;
                        }
                        out.add(new Entry(pos, pos + FRAME_HEADER_BYTES + length, payload.array()));
                        pos += FRAME_HEADER_BYTES + length;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the probe result spool in spool.dir=" + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Marks every record below {@code offset} as delivered (durably) and frees whole segments below it. */
    synchronized void commit(long offset, int recordsCommitted) {
        if (offset <= committed) {
            return;
        }
        try {
            Path tmp = dir.resolve("commit.tmp");
            ByteBuffer buf = ByteBuffer.allocate(12);
            buf.putLong(offset).putInt(crc(ByteBuffer.allocate(8).putLong(offset).array())).flip();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, dir.resolve("commit"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spool commit in spool.dir=" + dir + ": " + e.getMessage(), e);
        }
        committed = offset;
        records -= recordsCommitted;
        deleteConsumedSegments();
    }

    private void deleteConsumedSegments() {
        while (segments.size() > 1) {
            Long second = segments.higherKey(segments.firstKey());
            if (second > committed) {
                return;
            }
            Path first = segments.pollFirstEntry().getValue();
            try {
                Files.deleteIfExists(first);
            } catch (IOException e) {
                LOG.warn("spool {}: cannot delete delivered segment {}: {}", dir, first, e.toString());
            }
        }
    }

    private long readCommit() throws IOException {
        Path file = dir.resolve("commit");
        if (!Files.exists(file)) {
            return segments.isEmpty() ? 0 : segments.firstKey();
        }
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        if (buf.remaining() != 12) {
            return -1;
        }
        long offset = buf.getLong();
        int crc = buf.getInt();
        return crc(ByteBuffer.allocate(8).putLong(offset).array()) == crc ? offset : -1;
    }

    private Path segmentPath(long base) {
        return dir.resolve(String.format(Locale.ROOT, "%020d%s", base, SUFFIX));
    }

    static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    synchronized long committed() {
        return committed;
    }

    /** Records appended and not yet committed. */
    synchronized long pendingRecords() {
        return records;
    }

    /** Bytes appended and not yet committed. */
    synchronized long pendingBytes() {
        return end - committed;
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        try {
            active.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("spool {}: close: {}", dir, e.toString());
        }
    }
}
