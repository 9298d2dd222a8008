package dev.tokenarena.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One JSON lines file. Lines wait in memory and go to the file whole, so the file never ends in
 * half a line unless the process dies inside a write. Opened on first use, in append mode.
 */
final class JsonLinesFile implements AutoCloseable {

    private final Path path;
    private final StringBuilder pending = new StringBuilder();
    private FileChannel channel;

    JsonLinesFile(Path path) {
        this.path = path;
    }

    void append(String line) {
        pending.append(line).append('\n');
    }

    int pendingChars() {
        return pending.length();
    }

    /** Writes the pending lines and forces them to disk, so a committed offset never outruns the file. */
    void flush() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        if (channel == null) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(pending.toString());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
        pending.setLength(0);
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }

    Path path() {
        return path;
    }
}
