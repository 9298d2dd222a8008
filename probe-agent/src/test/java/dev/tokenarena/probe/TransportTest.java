package dev.tokenarena.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenarena.schemas.time.Ticker;
import dev.tokenarena.schemas.v1.ProbeResult;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both socket layers stream the same answer; epoll is really in use where the build ships it. */
class TransportTest {

    static boolean linuxX86() {
        return "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIf("linuxX86")
    void shouldPreferEpollWhenTheNativeLibraryOfTheBuildLoadsOnLinuxX86() {
        // Fails when the epoll artifacts' versions drift apart (a library that loads but lacks a
        // JNI method): the agent would then silently run on NIO.
        assertNull(Transport.epollProblem());
        assertEquals("epoll", Transport.preferNative().name());
    }

    @Test
    void shouldRefuseAnUnknownTransportName() {
        assertThrows(IllegalArgumentException.class, () -> Transport.named("kqueue"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "auto"})
    void shouldReportOkWithTheSameFiguresOnEitherTransport(String name) throws Exception {
        try (FakeLlmServer server = new FakeLlmServer();
             StreamingHttpClient client = new StreamingHttpClient(1, Ticker.SYSTEM, Limits.defaults(),
                     StreamingHttpClient.defaultSsl(), Transport.named(name))) {
            server.script(r -> FakeLlmServer.Reply.sse(StreamingHttpClientTest.GOOD));
            HttpCall call = Protocols.call(StreamingHttpClientTest.endpoint(server.baseUrl(), "openai-chat"), "sk-t",
                    "hello", 16, null);
            Exchange ex = client.post(call, StreamParser.forProtocol("openai-chat")).get(10, TimeUnit.SECONDS);
            ProbeResult r = new ResultAssembler(Tokenizer.O200K).assemble(new ProbeRequest("ep-1", "us-east", "a-0", 0,
                    "timing-in1k-c1", "timing", 1000, 1, 16, 1000, null, null, null), ex, 0L, "sk-t");
            assertEquals("OK", r.getOutcome(), r.getError());
            // GOOD: "Hello" and " there", usage 8 in / 2 out, finish "stop"
            assertEquals(2, r.getOutputTokens());
            assertEquals(8, r.getInputTokensServer());
            assertEquals("stop", r.getFinishReason());
        }
    }
}
