package dev.tokenarena.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenarena.schemas.v1.GridIntensity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridTableTest {

    @TempDir
    Path dir;

    @Test
    void shouldShipEveryRequiredZoneWhenDefaultsLoaded() {
        GridTable table = GridTable.defaults();
        for (String zone : List.of("US-MIDA-PJM", "US-CAL-CISO", "US-NY-NYIS", "US-TEX-ERCO", "DE", "FR", "GB", "IE",
                "NL", "SE", "SG", "JP-TK", "IN-WE", "AU-NSW", "BR-CS")) {
            assertTrue(table.knows(zone), zone);
            assertTrue(table.rows().get(zone).source().contains("approximate"), zone);
        }
        GridIntensity fr = table.intensity("FR", 5L);
        assertEquals(56.0, fr.getGco2PerKwh(), 0.0);
        assertEquals(5L, fr.getEffectiveFromMs());
    }

    @Test
    void shouldFallBackToHighestWhenZoneUnknown() throws IOException {
        // Highest of 120 (A) and 450 (B) is 450.
        GridTable table = GridTable.load(write("zone,gco2_per_kwh,year,source\nA,120,2023,src a\nB,450,2022,src b, with comma\n"));
        GridIntensity g = table.intensity("ZZ", 0L);
        assertEquals(450.0, g.getGco2PerKwh(), 0.0);
        assertEquals("fallback: unknown zone; highest value in the table (B, src b, with comma)", g.getSource());
    }

    @Test
    void shouldNameFileAndLineWhenRowIsBad() throws IOException {
        Path badNumber = write("# comment\nzone,gco2_per_kwh,year,source\nA,lots,2023,src\n");
        assertEquals(badNumber + ": line 3: gco2_per_kwh must be a number and year a whole number",
                assertThrows(GridTableException.class, () -> GridTable.load(badNumber)).getMessage());
        Path noHeader = write("A,1,2023,src\n");
        assertEquals(noHeader + ": line 1: expected the header 'zone,gco2_per_kwh,year,source'",
                assertThrows(GridTableException.class, () -> GridTable.load(noHeader)).getMessage());
        Path duplicate = write("zone,gco2_per_kwh,year,source\nA,1,2023,s\nA,2,2023,s\n");
        assertEquals(duplicate + ": line 3: duplicate zone 'A'",
                assertThrows(GridTableException.class, () -> GridTable.load(duplicate)).getMessage());
        Path tooLong = write("zone,gco2_per_kwh,year,source\nA,1,2023," + "s".repeat(2000) + "\n");
        assertEquals(tooLong + ": line 2: longer than 1024 chars",
                assertThrows(GridTableException.class, () -> GridTable.load(tooLong)).getMessage());
    }

    private int files;

    private Path write(String content) throws IOException {
        return Files.writeString(dir.resolve("grid-" + (files++) + ".csv"), content);
    }
}
