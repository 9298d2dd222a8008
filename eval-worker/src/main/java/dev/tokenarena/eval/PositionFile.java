package dev.tokenarena.eval;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * The worker's resume point: a properties file {@code eval.<endpoint_id>=N},
 * {@code fp.<endpoint_id>=N}, replaced atomically after each round so a crash leaves either the
 * old or the new positions, never half a file.
 */
final class PositionFile {

    static final String FILE_NAME = "eval-positions.properties";
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    private final Path file;

    PositionFile(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    /** The saved positions, empty when there is no file yet. Fails fast (startup) on a bad file. */
    Map<String, EvalPositions> read() {
        if (!Files.exists(file)) {
            return Map.of();
        }
        Properties props = new Properties();
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file + ": position file is larger than " + MAX_BYTES + " bytes");
            }
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read position file: " + e.getMessage());
        }
        Map<String, long[]> raw = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            int dot = key.indexOf('.');
            String kind = dot < 0 ? "" : key.substring(0, dot);
            if (!kind.equals("eval") && !kind.equals("fp")) {
                throw new ConfigException(file + ": unknown key '" + key + "'; expected eval.<endpoint_id> or fp.<endpoint_id>");
            }
            long value;
            try {
                value = Long.parseLong(props.getProperty(key).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(file + ": key '" + key + "' is not a whole number");
            }
            if (value < 0) {
                throw new ConfigException(file + ": key '" + key + "' is negative");
            }
            long[] pair = raw.computeIfAbsent(key.substring(dot + 1), k -> new long[2]);
            pair[kind.equals("eval") ? 0 : 1] = value;
        }
        Map<String, EvalPositions> out = new HashMap<>();
        raw.forEach((id, pair) -> out.put(id, new EvalPositions(pair[0], pair[1])));
        return out;
    }

    /** Writes all positions, replacing the file atomically. */
    void write(Map<String, EvalPositions> positions) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("# eval-worker resume positions; absolute counters per endpoint\n");
            for (Map.Entry<String, EvalPositions> e : new TreeMap<>(positions).entrySet()) {
                w.write("eval." + escape(e.getKey()) + "=" + e.getValue().evalPosition() + "\n");
                w.write("fp." + escape(e.getKey()) + "=" + e.getValue().fingerprintPosition() + "\n");
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Escapes the characters that {@link Properties#load} treats specially in keys. */
    private static String escape(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            if (c == '=' || c == ':' || c == ' ' || c == '#' || c == '!' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
