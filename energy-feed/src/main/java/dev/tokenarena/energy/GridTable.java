package dev.tokenarena.energy;

import dev.tokenarena.schemas.v1.GridIntensity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Annual-average carbon intensity per grid zone: CSV {@code zone,gco2_per_kwh,year,source},
 * {@code #} comment lines. An unknown zone gets the table's highest value, so a missing figure
 * can only overstate emissions, never hide them, and its source says so.
 */
public final class GridTable {

    /** The table shipped in this module. */
    public static final String DEFAULT_RESOURCE = "grid/annual-average.csv";
    static final String HEADER = "zone,gco2_per_kwh,year,source";
    static final String FALLBACK_SOURCE = "fallback: unknown zone";

    static final long MAX_FILE_BYTES = 1024 * 1024;
    static final int MAX_LINE_CHARS = 1024;
    static final int MAX_ROWS = 10_000;
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    /** One zone's annual average. */
    public record Row(String zone, double gco2PerKwh, int year, String source) {
    }

    private final Map<String, Row> rows;
    private final Row highest;

    private GridTable(Map<String, Row> rows) {
        this.rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        this.highest = rows.values().stream().max(Comparator.comparingDouble(Row::gco2PerKwh)).orElseThrow();
    }

    /** The shipped table. */
    public static GridTable defaults() {
        InputStream in = GridTable.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE);
        if (in == null) {
            throw new GridTableException("classpath:" + DEFAULT_RESOURCE + ": grid table not found");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parse(reader, "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new GridTableException("classpath:" + DEFAULT_RESOURCE + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A user's table file. */
    public static GridTable load(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new GridTableException(file + ": grid table not found");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new GridTableException(file + ": file is " + size + " bytes; the limit is " + MAX_FILE_BYTES + " bytes");
            }
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return parse(reader, file.toString());
            }
        } catch (IOException e) {
            throw new GridTableException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses the CSV; {@code source} names it in errors. */
    public static GridTable parse(BufferedReader reader, String source) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        boolean header = false;
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String where = source + ": line " + number;
            if (line.length() > MAX_LINE_CHARS) {
                throw new GridTableException(where + ": longer than " + MAX_LINE_CHARS + " chars");
            }
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (!header) {
                if (!text.equals(HEADER)) {
                    throw new GridTableException(where + ": expected the header '" + HEADER + "'");
                }
                header = true;
                continue;
            }
            // The source is the last column and may itself contain commas.
            String[] cols = text.split(",", 4);
            if (cols.length != 4) {
                throw new GridTableException(where + ": expected 4 columns (" + HEADER + "), got " + cols.length);
            }
            String zone = cols[0].strip();
            if (!ZONE.matcher(zone).matches()) {
                throw new GridTableException(where + ": zone '" + zone + "' is not a zone id like US-MIDA-PJM");
            }
            double g;
            int year;
            try {
                g = Double.parseDouble(cols[1].strip());
                year = Integer.parseInt(cols[2].strip());
            } catch (NumberFormatException e) {
                throw new GridTableException(where + ": gco2_per_kwh must be a number and year a whole number");
            }
            if (!(g >= 0 && g <= 2000)) {
                throw new GridTableException(where + ": gco2_per_kwh is " + cols[1].strip() + "; must be within [0, 2000]");
            }
            String src = cols[3].strip();
            if (src.isEmpty()) {
                throw new GridTableException(where + ": source is empty; every figure needs its source");
            }
            if (rows.put(zone, new Row(zone, g, year, src)) != null) {
                throw new GridTableException(where + ": duplicate zone '" + zone + "'");
            }
            if (rows.size() > MAX_ROWS) {
                throw new GridTableException(where + ": more than " + MAX_ROWS + " rows");
            }
        }
        if (rows.isEmpty()) {
            throw new GridTableException(source + ": grid table has no rows");
        }
        return new GridTable(rows);
    }

    public Map<String, Row> rows() {
        return rows;
    }

    /** True when the zone has its own figure. */
    public boolean knows(String zone) {
        return rows.containsKey(zone);
    }

    /** The zone's intensity, or the conservative fallback (the table's highest) for an unknown zone. */
    public GridIntensity intensity(String zone, long effectiveFromMs) {
        Objects.requireNonNull(zone, "zone");
        Row row = rows.get(zone);
        if (row != null) {
            return GridIntensity.newBuilder().setZone(zone).setGco2PerKwh(row.gco2PerKwh())
                    .setSource(row.source() + " (annual average " + row.year() + ")")
                    .setEffectiveFromMs(effectiveFromMs).build();
        }
        return GridIntensity.newBuilder().setZone(zone).setGco2PerKwh(highest.gco2PerKwh())
                .setSource(FALLBACK_SOURCE + "; highest value in the table (" + highest.zone() + ", " + highest.source() + ")")
                .setEffectiveFromMs(effectiveFromMs).build();
    }
}
