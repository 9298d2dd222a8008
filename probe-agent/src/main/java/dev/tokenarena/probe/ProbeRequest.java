package dev.tokenarena.probe;

/**
 * What one request is for: the labels that go into its ProbeResult unchanged. {@code canaryId},
 * {@code needleCode} and {@code needleContextTokens} are null unless the kind uses them.
 */
record ProbeRequest(String endpointId, String region, String agentId, long round, String scenario, String kind,
                    int inputTokensTarget, int concurrency, int maxTokens, int inputTokensLocal,
                    String canaryId, String needleCode, Integer needleContextTokens) {

    static final String TIMING = "timing";
    static final String CANARY = "canary";
    static final String NEEDLE = "needle";
}
