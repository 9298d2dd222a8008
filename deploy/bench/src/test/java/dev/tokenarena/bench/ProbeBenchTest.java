package dev.tokenarena.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Functional checks of the probe harness at tiny sizes: they run end to end and report every field
 * with consistent counts. No figure is asserted against a speed: benchmarks are not tests.
 */
class ProbeBenchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode run(Object command, String... args) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args), "exit code");
        return JSON.readTree(out.toString());
    }

    @Test
    void shouldReportEveryProbeFigureWhenFiveStreamsRunThroughTheProbeClient() throws Exception {
        JsonNode r = run(new ProbeBench(), "--streams", "5", "--warmup", "2", "--repeats", "1", "--tokens", "4",
                "--ttft-ms", "20", "--tokens-per-second", "200", "--other-client", "none", "--json");
        assertEquals(5, r.path("streams").asInt());
        assertEquals(5, r.path("ok_streams").asInt());
        // 5 streams x 4 tokens, counted from the server's usage
        assertEquals(20, r.path("tokens_received").asLong());
        for (String f : new String[] {"ttft_error_ms_p50", "ttft_error_ms_p99", "tpot_error_ms_p99",
            "cpu_ms_per_1k_tokens", "heap_mb_peak"}) {
            assertTrue(r.path(f).isNumber() && Double.isFinite(r.path(f).asDouble()), f + " missing in " + r);
        }
        // The client stamps a token after the server wrote it: the error can only be >= 0.
        assertTrue(r.path("ttft_error_ms_p50").asDouble() >= 0, r.toString());
        // Measured in a child JVM started with the agent's own options, as deployed.
        assertTrue(r.path("client_java_options").asText().contains(dev.tokenarena.probe.ProbeAgentMain.JVM_OPTIONS),
                r.path("client_java_options").asText());
        assertTrue(r.path("ttft_error_ms_p99_pooled").isNumber(), r.toString());
    }

    @Test
    void shouldStartEveryStreamOfBothClientsWhenStartsAreSpreadOverARamp() throws Exception {
        JsonNode r = run(new ProbeBench(), "--streams", "4", "--warmup", "0", "--repeats", "1", "--tokens", "3",
                "--ttft-ms", "10", "--tokens-per-second", "200", "--ramp-ms", "200", "--json");
        assertEquals("ramp", r.path("start_pattern").asText());
        assertEquals(200, r.path("ramp_ms").asLong());
        assertEquals(4, r.path("ok_streams").asInt(), r.toString());
        assertEquals(4, r.path("other_client").path("ok_streams").asInt(), r.toString());
        // Streams start 0, 50, 100 and 150 ms into the ramp and each lasts about 20 ms, so the
        // round cannot be shorter than the last start.
        assertTrue(r.path("rounds").get(0).path("wall_ms").asDouble() >= 150, r.toString());
    }

    @Test
    void shouldHandTheChildJvmOnlyTheProbeArgumentsWhenRunAsASubcommand() throws Exception {
        // bench probe ... : the child JVM runs ProbeBench itself, so "probe" must not reach it.
        JsonNode r = run(new BenchCli(), "probe", "--streams", "2", "--warmup", "0", "--repeats", "1", "--tokens", "3",
                "--ttft-ms", "10", "--tokens-per-second", "200", "--other-client", "none", "--json");
        assertEquals(2, r.path("ok_streams").asInt(), r.toString());
        assertTrue(r.path("client_java_options").asText().contains(dev.tokenarena.probe.ProbeAgentMain.JVM_OPTIONS));
    }

    @Test
    void shouldRefuseToPinTheClientWithoutPinningTheServer() {
        assertEquals(2, new CommandLine(new ProbeBench()).execute("--client-cpus", "0", "--other-client", "none"));
    }

    @Test
    void shouldMatchEveryStreamOfTheOtherClientWhenPythonIsUsed() throws Exception {
        JsonNode r = run(new ProbeBench(), "--streams", "3", "--warmup", "0", "--repeats", "1", "--tokens", "3",
                "--ttft-ms", "10", "--tokens-per-second", "200", "--json");
        assertEquals(3, r.path("other_client").path("ok_streams").asInt(), r.toString());
        assertEquals(9, r.path("other_client").path("tokens_received").asLong());
        assertTrue(r.path("ratio").path("cpu_per_1k_tokens_other_over_ours").isNumber(), r.toString());
    }
}
