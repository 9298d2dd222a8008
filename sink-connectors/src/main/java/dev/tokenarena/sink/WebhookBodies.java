package dev.tokenarena.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tokenarena.schemas.serde.AvroJson;
import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.DriftAlert;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The request bodies of {@link WebhookSinkTask}, one per alert, as the exact bytes that are signed and sent. */
final class WebhookBodies {

    private WebhookBodies() {
    }

    static byte[] body(WebhookSinkConfig.Format format, DriftAlert alert) {
        String text = switch (format) {
            case JSON -> AvroJson.toJson(alert);
            case SLACK -> slack(alert);
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code {"text": "..."}}: Slack incoming webhooks render the text field, mrkdwn-escaped. */
    static String slack(DriftAlert alert) {
        try {
            return AvroJson.MAPPER.writeValueAsString(Map.of("text", escapeMrkdwn(summary(alert))));
        } catch (JsonProcessingException e) {
            // A map of one string always serialises; this would be a Jackson bug.
            throw new IllegalStateException("cannot write the Slack body", e);
        }
    }

    /**
     * One line a person can act on, e.g. {@code [OPEN] fidelity on acme-llama70b-fp8-use1 (warning):
     * fidelity_f 92.1 (baseline 99.6, threshold 97) - fidelity fell from 99.6 to 92.1}. Missing
     * evidence numbers are left out rather than shown as null.
     */
    static String summary(DriftAlert alert) {
        AlertEvidence e = alert.getEvidence();
        StringBuilder sb = new StringBuilder()
                .append('[').append(alert.getState()).append("] ")
                .append(alert.getKind()).append(" on ").append(alert.getEndpointId())
                .append(" (").append(alert.getSeverity()).append("): ").append(e.getMetric());
        if (e.getCurrent() != null) {
            sb.append(' ').append(number(e.getCurrent()));
        }
        StringBuilder context = new StringBuilder();
        if (e.getBaseline() != null) {
            context.append("baseline ").append(number(e.getBaseline()));
        }
        if (e.getThreshold() != null) {
            context.append(context.length() > 0 ? ", " : "").append("threshold ").append(number(e.getThreshold()));
        }
        if (context.length() > 0) {
            sb.append(" (").append(context).append(')');
        }
        String summary = alert.getSummary() == null ? "" : alert.getSummary().toString().replace('\n', ' ').strip();
        if (!summary.isEmpty()) {
            sb.append(" - ").append(summary);
        }
        return sb.toString();
    }

    // 97.0 reads as 97 and 0.1 + 0.2 keeps its double digits: the shortest exact decimal, no exponent.
    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** Slack treats &, < and > as control characters in text. */
    private static String escapeMrkdwn(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
