package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScoringParamsTest {

    static String defaultYaml() {
        try (InputStream in = ScoringParams.class.getClassLoader().getResourceAsStream(ScoringParams.DEFAULT_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldLoadShippedPresetsWhenNoFileGiven() {
        ScoringParams p = ScoringParams.load(null);
        assertEquals(java.util.List.of("chat", "rag", "reasoning", "coding", "voice", "batch"),
                java.util.List.copyOf(p.presets().keySet()));
        ScoringParams.Preset rag = p.preset("rag");
        assertEquals(20.0, rag.inputRatio());
        assertEquals(0.35, rag.weights().price());
        assertTrue(p.preset("batch").batchPrice());
        assertEquals(Duration.ofHours(1), p.windows().probeSize());
        assertEquals(Duration.ofMinutes(5), p.windows().probeAdvance());
        assertEquals(Duration.ofHours(24), p.windows().evalSize());
        assertEquals(8, p.fidelity().minPrompts());
        assertEquals(Duration.ofMinutes(1), p.emitInterval());
        assertTrue(p.configHash().matches("[0-9a-f]{16}"), p.configHash());
    }

    @Test
    void shouldKeepHashWhenOnlyCommentsChangeAndChangeItWhenANumberChanges() {
        String yaml = defaultYaml();
        String base = ScoringParams.parse(yaml, "a").configHash();
        assertEquals(base, ScoringParams.parse("# another comment\n" + yaml, "b").configHash());
        assertNotEquals(base, ScoringParams.parse(yaml.replace("min_prompts: 8", "min_prompts: 9"), "c").configHash());
    }

    @Test
    void shouldDefaultCachedShareAndSloAndHashAChangeWhenCostParametersChange() {
        String yaml = defaultYaml();
        ScoringParams p = ScoringParams.parse(yaml, "a");
        assertEquals(0.0, p.preset("chat").cachedInputShare());
        assertEquals(new ScoringParams.SelfHostedSlo(2000.0, 20.0), p.selfHostedSlo());
        assertNotEquals(p.configHash(), ScoringParams.parse(yaml.replace("ratio: {input: 20, output: 1}\n",
                "ratio: {input: 20, output: 1}\n    cached_input_share: 0.3\n"), "b").configHash());
        assertNotEquals(p.configHash(), ScoringParams.parse(yaml.replace("ttft_ms_p90_max: 2000",
                "ttft_ms_p90_max: 1500"), "c").configHash());
    }

    @Test
    void shouldNamePresetAndFieldWhenCachedShareOrSloIsOutOfRange() {
        IllegalArgumentException share = assertThrows(IllegalArgumentException.class, () -> ScoringParams.parse(
                defaultYaml().replace("ratio: {input: 20, output: 1}\n", "ratio: {input: 20, output: 1}\n"
                        + "    cached_input_share: 1.5\n"), "bad.yaml"));
        assertEquals("bad.yaml: preset 'rag': cached_input_share: must be in [0, 1], got 1.5", share.getMessage());
        IllegalArgumentException slo = assertThrows(IllegalArgumentException.class, () -> ScoringParams.parse(
                defaultYaml().replace("ttft_ms_p90_max: 2000", "ttft_ms_p90_max: 0"), "bad.yaml"));
        assertEquals("bad.yaml: self_hosted.slo: need ttft_ms_p90_max > 0 and output_tps_p50_min >= 0", slo.getMessage());
    }

    @Test
    void shouldNamePresetAndFieldWhenWeightsDoNotSumToOne() {
        String bad = defaultYaml().replace("weights: {speed: 0.15, ttft: 0.20, price: 0.35",
                "weights: {speed: 0.25, ttft: 0.20, price: 0.35");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringParams.parse(bad, "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml: preset 'rag': weights: must sum to 1"), e.getMessage());
    }

    @Test
    void shouldNamePresetAndFieldWhenRatioIsNotPositive() {
        String bad = defaultYaml().replace("ratio: {input: 1, output: 5}", "ratio: {input: 0, output: 5}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringParams.parse(bad, "bad.yaml"));
        assertEquals("bad.yaml: preset 'reasoning': ratio.input: must be > 0", e.getMessage());
    }

    @Test
    void shouldClassifyFidelityByThresholdsWhenEnoughPrompts() {
        ScoringParams p = ScoringParams.defaults();
        assertEquals("faithful", p.fidelityStatus(97.0, 8));
        assertEquals("drifted", p.fidelityStatus(96.99, 8));
        assertEquals("drifted", p.fidelityStatus(90.0, 8));
        assertEquals("modified", p.fidelityStatus(89.99, 8));
        assertEquals("unknown", p.fidelityStatus(50.0, 7));
    }

    @Test
    void shouldLoadAlertThresholdsAndHashThemWhenAlertsSectionIsGiven() {
        ScoringParams p = ScoringParams.defaults();
        assertEquals(0.95, p.alerts().availability().openBelow());
        assertEquals(Duration.ofDays(7), p.alerts().ttftP99().baseline());
        assertEquals(2.576, p.alerts().accuracy().zCritical());
        assertEquals(3, p.alerts().canary().consecutiveRounds());
        String yaml = defaultYaml();
        assertNotEquals(p.configHash(),
                ScoringParams.parse(yaml.replace("open_ratio: 1.5", "open_ratio: 1.6"), "c").configHash());
    }

    @Test
    void shouldNameFieldWhenAlertResolveThresholdIsLooserThanOpen() {
        String bad = defaultYaml().replace("resolve_at_least: 0.97", "resolve_at_least: 0.90");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringParams.parse(bad, "bad.yaml"));
        assertEquals("bad.yaml: alerts.availability: need 0 < open_below <= resolve_at_least <= 1", e.getMessage());
    }
}
