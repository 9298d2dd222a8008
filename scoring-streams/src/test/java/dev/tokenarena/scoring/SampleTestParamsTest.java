package dev.tokenarena.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fidelity.sample_test block of presets-v1.yaml: shipped values, hashing and validation. */
class SampleTestParamsTest {

    @Test
    void shouldLoadShippedSampleTestSettings() {
        ScoringParams.SampleTest t = ScoringParams.load(null).fidelity().sampleTest();
        assertEquals(new ScoringParams.SampleTest(16, 4, 200, 0.05, 0.05, 1, 2), t);
    }

    @Test
    void shouldUseDefaultsWhenTheBlockIsMissingAndHashTheSame() {
        String yaml = ScoringParamsTest.defaultYaml();
        int from = yaml.indexOf("  sample_test:");
        int to = yaml.indexOf("confirmations: 2", from);
        String without = yaml.substring(0, from) + yaml.substring(yaml.indexOf('\n', to) + 1);
        ScoringParams shipped = ScoringParams.parse(yaml, "a");
        ScoringParams defaults = ScoringParams.parse(without, "b");
        assertEquals(shipped.fidelity().sampleTest(), defaults.fidelity().sampleTest());
        assertEquals(shipped.configHash(), defaults.configHash());
    }

    @Test
    void shouldChangeTheConfigHashWhenASampleTestSettingChanges() {
        String yaml = ScoringParamsTest.defaultYaml();
        String base = ScoringParams.parse(yaml, "a").configHash();
        assertNotEquals(base, ScoringParams.parse(yaml.replace("alpha: 0.05", "alpha: 0.01"), "b").configHash());
        assertNotEquals(base, ScoringParams.parse(yaml.replace("seed: 1 ", "seed: 2 "), "c").configHash());
    }

    @Test
    void shouldRefuseSettingsThatCouldNeverRejectNamingTheField() {
        String yaml = ScoringParamsTest.defaultYaml();
        // alpha 0.05 needs p = 1 / (B + 1) <= 0.05, so B >= 19
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringParams.parse(yaml.replace("permutations: 200", "permutations: 10"), "f.yaml"));
        assertTrue(e.getMessage().contains("f.yaml: fidelity.sample_test.permutations"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScoringParams.parse(yaml.replace("samples_per_prompt: 4", "samples_per_prompt: 1"), "f.yaml"));
        assertTrue(e.getMessage().contains("fidelity.sample_test.samples_per_prompt"), e.getMessage());
    }
}
