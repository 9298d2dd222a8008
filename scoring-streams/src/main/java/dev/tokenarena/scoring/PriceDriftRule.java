package dev.tokenarena.scoring;

import dev.tokenarena.schemas.v1.AlertEvidence;
import dev.tokenarena.schemas.v1.PriceQuote;
import dev.tokenarena.scoring.avro.AlertState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PRICE: any change of the input or output list price. A price change is an event, not a
 * condition that later clears, so the verdict is a {@link DriftRule.Change}: OPEN and RESOLVED at
 * the same event time (no acknowledgement step; consumers showing open alerts keep no stale
 * price alerts, and the alert log still records every change). The first quote of an endpoint
 * and a re-published equal quote raise nothing. Evidence: metric = the blended 1:1 price
 * (USD per 1M tokens), baseline = old, current = new, both prices in details.
 */
final class PriceDriftRule implements DriftRule<PriceQuote> {

    static final String KIND = "PRICE";
    static final String METRIC = "price_usd_per_mtok_1to1";
    static final String LAST_INPUT = "input_usd_per_mtok";
    static final String LAST_OUTPUT = "output_usd_per_mtok";
    static final String PREVIOUS_INPUT = "previous_input_usd_per_mtok";
    static final String PREVIOUS_OUTPUT = "previous_output_usd_per_mtok";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AlertState remember(PriceQuote q, AlertState state) {
        Map<String, Double> values = new HashMap<>();
        Double lastIn = state.getValues().get(LAST_INPUT);
        Double lastOut = state.getValues().get(LAST_OUTPUT);
        if (lastIn != null && lastOut != null) {
            values.put(PREVIOUS_INPUT, lastIn);
            values.put(PREVIOUS_OUTPUT, lastOut);
        }
        values.put(LAST_INPUT, q.getInputUsdPerMtok());
        values.put(LAST_OUTPUT, q.getOutputUsdPerMtok());
        return AlertState.newBuilder(state).setValues(values).build();
    }

    @Override
    public Verdict judge(PriceQuote q, AlertState state) {
        Double oldIn = state.getValues().get(PREVIOUS_INPUT);
        Double oldOut = state.getValues().get(PREVIOUS_OUTPUT);
        if (oldIn == null || oldOut == null) {
            return new Inconclusive();
        }
        double newIn = q.getInputUsdPerMtok();
        double newOut = q.getOutputUsdPerMtok();
        if (oldIn == newIn && oldOut == newOut) {
            return new Inconclusive();
        }
        double before = (oldIn + oldOut) / 2;
        double after = (newIn + newOut) / 2;
        String summary = String.format(Locale.ROOT, "price changed: input %.4f -> %.4f, output %.4f -> %.4f USD/1M",
                oldIn, newIn, oldOut, newOut);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("input_usd_per_mtok_before", Double.toString(oldIn));
        details.put("input_usd_per_mtok_after", Double.toString(newIn));
        details.put("output_usd_per_mtok_before", Double.toString(oldOut));
        details.put("output_usd_per_mtok_after", Double.toString(newOut));
        details.put("effective_from_ms", Long.toString(q.getEffectiveFromMs()));
        details.put("source", q.getSource());
        AlertEvidence evidence = AlertEvidence.newBuilder().setMetric(METRIC).setBaseline(before).setCurrent(after)
                .setStatistic(before == 0 ? null : after / before).setDetails(details).build();
        return new Change(newIn > oldIn || newOut > oldOut ? "warning" : "info", summary, evidence);
    }
}
