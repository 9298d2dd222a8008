package dev.tokenarena.probe;

import dev.tokenarena.schemas.v1.PriceQuote;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-endpoint daily budget (DESIGN section 4): a token and a dollar limit per UTC day.
 * Two parts. {@link #plan} decides up front how often the expensive timing steps (input of at
 * least {@code cost.expensive.input.tokens} or concurrency of at least
 * {@code cost.expensive.concurrency}) may run so the day's estimate fits: the other steps run
 * every round (needles every needle.every.rounds), and the expensive ones share what is left,
 * every Nth round. At run time {@link #allows} is a hard stop: once what an endpoint really
 * used today plus a step's estimate would pass a limit, the step is skipped until the next day.
 *
 * <p>Estimates count {@code slots x (input + max_tokens)} tokens per step, priced with the
 * endpoint's quote (none: tokens only). A limit of 0 means no limit.
 */
final class CostGuard {

    private static final double MILLIS_PER_DAY = 86_400_000.0;

    /** Tokens and US dollars. */
    record Cost(long tokens, double usd) {
        static final Cost ZERO = new Cost(0, 0);

        Cost plus(Cost o) {
            return new Cost(tokens + o.tokens, usd + o.usd);
        }

        Cost times(double f) {
            return new Cost(Math.round(tokens * f), usd * f);
        }
    }

    /**
     * How often an endpoint's expensive steps run.
     *
     * @param expensiveEveryRounds run them in rounds whose number is a multiple of this; 0 = never
     *                             (even the cheap steps alone exceed the budget)
     */
    record Plan(String endpointId, int expensiveEveryRounds, Cost basePerDay, Cost expensivePerRun,
                double roundsPerDay, Cost dailyEstimate) {

        boolean runsExpensive(long round) {
            return expensiveEveryRounds > 0 && round % expensiveEveryRounds == 0;
        }

        String describe() {
            return String.format(Locale.ROOT, "endpoint %s: %.1f rounds/day; every-round steps %d tokens ($%.4f)/day; "
                            + "expensive steps %d tokens ($%.4f) per run, %s; estimated daily cost %d tokens, $%.4f",
                    endpointId, roundsPerDay, basePerDay.tokens(), basePerDay.usd(), expensivePerRun.tokens(),
                    expensivePerRun.usd(), expensiveEveryRounds == 0 ? "never (budget too small)"
                            : "every " + expensiveEveryRounds + " rounds", dailyEstimate.tokens(), dailyEstimate.usd());
        }
    }

    private final long dailyTokens;
    private final double dailyUsd;
    private final long roundIntervalMs;
    private final int expensiveInputTokens;
    private final int expensiveConcurrency;
    private final int needleEveryRounds;
    private final int maxTokens;
    private final Map<String, Used> used = new ConcurrentHashMap<>();

    private static final class Used {
        long day = Long.MIN_VALUE;
        long tokens;
        double usd;
    }

    CostGuard(long dailyTokens, double dailyUsd, long roundIntervalMs, int expensiveInputTokens,
              int expensiveConcurrency, int needleEveryRounds, int maxTokens) {
        this.dailyTokens = dailyTokens;
        this.dailyUsd = dailyUsd;
        this.roundIntervalMs = roundIntervalMs;
        this.expensiveInputTokens = expensiveInputTokens;
        this.expensiveConcurrency = expensiveConcurrency;
        this.needleEveryRounds = needleEveryRounds;
        this.maxTokens = maxTokens;
    }

    static CostGuard from(ProbeAgentConfig c) {
        return new CostGuard(c.budgetDailyTokens(), c.budgetDailyUsd(), c.roundIntervalMs(), c.costExpensiveInputTokens(),
                c.costExpensiveConcurrency(), c.needleEveryRounds(), c.maxTokens());
    }

    boolean limited() {
        return dailyTokens > 0 || dailyUsd > 0;
    }

    boolean expensive(ProbeAgent.Step step) {
        return ProbeRequest.TIMING.equals(step.kind())
                && (step.inputTokens() >= expensiveInputTokens || step.slots() >= expensiveConcurrency);
    }

    /** Estimated cost of one run of a step; canaries count their prompt as about 100 tokens. */
    Cost cost(ProbeAgent.Step step, PriceQuote price) {
        long input = step.kind().equals(ProbeRequest.CANARY) ? 100 : step.inputTokens();
        long tokens = step.slots() * (input + maxTokens);
        double usd = price == null ? 0
                : step.slots() * (input * price.getInputUsdPerMtok() + (double) maxTokens * price.getOutputUsdPerMtok()) / 1e6;
        return new Cost(tokens, usd);
    }

    /** The schedule of one endpoint, from every step a needle round would run. */
    Plan plan(String endpointId, List<ProbeAgent.Step> allSteps, PriceQuote price) {
        double roundsPerDay = MILLIS_PER_DAY / roundIntervalMs;
        Cost base = Cost.ZERO;
        Cost expensive = Cost.ZERO;
        for (ProbeAgent.Step s : allSteps) {
            if (expensive(s)) {
                expensive = expensive.plus(cost(s, price));
            } else {
                double perDay = s.needle() ? roundsPerDay / needleEveryRounds : roundsPerDay;
                base = base.plus(cost(s, price).times(perDay));
            }
        }
        int every = 1;
        if (expensive.tokens() > 0 && limited()) {
            every = Math.max(everyFor(dailyTokens, base.tokens(), expensive.tokens(), roundsPerDay),
                    everyFor(dailyUsd, base.usd(), expensive.usd(), roundsPerDay));
            if (every == Integer.MAX_VALUE) {
                every = 0;
            }
        }
        Cost daily = every == 0 ? base : base.plus(expensive.times(roundsPerDay / every));
        return new Plan(endpointId, every, base, expensive, roundsPerDay, daily);
    }

    /** Smallest N with base + perRun x roundsPerDay / N <= budget; 1 without a limit, MAX_VALUE when impossible. */
    private static int everyFor(double budget, double basePerDay, double perRun, double roundsPerDay) {
        if (budget <= 0 || perRun <= 0) {
            return 1;
        }
        double left = budget - basePerDay;
        if (left <= 0) {
            return Integer.MAX_VALUE;
        }
        double n = Math.ceil(perRun * roundsPerDay / left - 1e-9);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE - 1, n));
    }

    /** Whether the endpoint may spend {@code estimate} more today (UTC day of {@code wallMs}). */
    boolean allows(String endpointId, Cost estimate, long wallMs) {
        if (!limited()) {
            return true;
        }
        Cost today = usedToday(endpointId, wallMs);
        return (dailyTokens <= 0 || today.tokens() + estimate.tokens() <= dailyTokens)
                && (dailyUsd <= 0 || today.usd() + estimate.usd() <= dailyUsd);
    }

    /** Books what a finished request really used. */
    void record(String endpointId, long tokens, double usd, long wallMs) {
        Used u = used.computeIfAbsent(endpointId, k -> new Used());
        synchronized (u) {
            long day = Math.floorDiv(wallMs, 86_400_000L);
            if (u.day != day) {
                u.day = day;
                u.tokens = 0;
                u.usd = 0;
            }
            u.tokens += tokens;
            u.usd += usd;
        }
    }

    Cost usedToday(String endpointId, long wallMs) {
        Used u = used.get(endpointId);
        if (u == null) {
            return Cost.ZERO;
        }
        synchronized (u) {
            return u.day == Math.floorDiv(wallMs, 86_400_000L) ? new Cost(u.tokens, u.usd) : Cost.ZERO;
        }
    }

    /** Every endpoint's spending today, for the metrics. */
    Map<String, Cost> usedToday(long wallMs) {
        Map<String, Cost> out = new java.util.TreeMap<>();
        for (String id : used.keySet()) {
            out.put(id, usedToday(id, wallMs));
        }
        return out;
    }

    String limitsText() {
        return "budget.daily.tokens=" + dailyTokens + ", budget.daily.usd=" + dailyUsd;
    }
}
