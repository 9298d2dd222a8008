package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A real sweep over real sockets against a server that saturates at concurrency 2. */
class SweepSocketTest {

    @TempDir
    Path dir;

    @Test
    void shouldFindTheKneeAtTwoWhenTheServerDecodesTwoStreamsAtOnce() throws Exception {
        // 2 slots, 20 tokens 20 ms apart: 380 ms of decode per request, so one stream gives at most
        // 20 / 0.38 = 52.6 tok/s, two give 105, and four still 105 (two wait a whole request for a slot).
        try (SaturatingLlmServer server = new SaturatingLlmServer(2, 20, 20)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Path csv = dir.resolve("sweep.csv");
            CommandLine cl = new CommandLine(new SweepOptions.Main());
            cl.parseArgs("--url", server.baseUrl(), "--model", "m", "--input-tokens", "100", "--max-tokens", "20",
                    "--concurrency", "1,2,4,8", "--step-seconds", "2", "--min-gain", "0.3", "--gpu-hour-usd", "3.6",
                    "--slo-ttft-ms", "150", "--json", "--csv", csv.toString());
            SweepOptions options = ((SweepOptions.Main) cl.getCommand()).options;
            int code = options.execute(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                    Map.<String, String>of()::get);
            assertEquals(0, code);
            JsonNode report = StreamParser.JSON.readTree(out.toString(StandardCharsets.UTF_8));
            JsonNode steps = report.get("steps");
            // c = 4 grows throughput by about 0% < 30%: saturated there, c = 8 never runs.
            assertEquals(3, steps.size(), report.toPrettyString());
            assertTrue(report.get("stop_reason").asText().startsWith("saturated: throughput grew"), report.toPrettyString());
            double t1 = steps.get(0).get("throughput_tps").asDouble();
            double t2 = steps.get(1).get("throughput_tps").asDouble();
            double t4 = steps.get(2).get("throughput_tps").asDouble();
            // Real sockets and timers on a shared machine: a band around the ideal 52.6 / 105 / 105
            // tok/s. Connection set-up and scheduling only ever lower them.
            assertTrue(t1 > 35 && t1 <= 53, "c=1 " + t1);
            assertTrue(t2 / t1 > 1.5 && t2 / t1 < 2.3, "c=2/c=1 " + t2 / t1);
            assertTrue(t4 / t2 > 0.75 && t4 / t2 < 1.25, "c=4/c=2 " + t4 / t2);
            // Per user it is 20 ms a token at every step (19 gaps over 380 ms), whatever the queue.
            for (JsonNode st : steps) {
                assertEquals(0.0, st.get("error_rate").asDouble());
                assertTrue(Math.abs(st.get("tpot_ms_p50").asDouble() - 20) < 5, st.toString());
                assertTrue(Math.abs(st.get("interactivity_tps_p50").asDouble() - 50) < 12, st.toString());
            }
            // c = 4: half the requests wait a whole 380 ms request for a slot, so TTFT p99 > 300 ms,
            // past the 150 ms SLO; at c = 2 nobody waits. Cheapest within the SLO: c = 2 (index 1).
            assertTrue(steps.get(2).get("ttft_ms_p99").asDouble() > 300, steps.get(2).toString());
            assertTrue(steps.get(1).get("ttft_ms_p50").asDouble() < 60, steps.get(1).toString());
            assertEquals(1, report.get("cheapest_step_meeting_slo").asInt(), report.toPrettyString());
            // $3.6 per GPU-hour is $0.001 a second: $/1M = 0.001 / throughput x 1e6 = 1000 / throughput.
            assertEquals(1000 / t2, steps.get(1).get("usd_per_mtok").asDouble(), 0.01);
            assertEquals(2, server.peakDecoding(), "never more than the two slots decoding");
            assertEquals(4, server.peakInside(), "four users in flight at c = 4");
            List<String> lines = Files.readAllLines(csv);
            assertEquals(4, lines.size(), "CSV header and three steps");
            assertEquals(String.join(",", SweepOutput.COLUMNS), lines.get(0));
        }
    }
}
