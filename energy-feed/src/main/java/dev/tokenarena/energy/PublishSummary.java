package dev.tokenarena.energy;

/**
 * Records one {@link EnergyFeed#publishOnce()} published, by kind, and how many the sink refused.
 *
 * @param endpoints Endpoint records published, count
 * @param prices PriceQuote records published, count
 * @param profiles EnergyProfile records published, count
 * @param grids GridIntensity records published, count
 * @param failures records the sink refused (retried on the next call), count
 */
public record PublishSummary(int endpoints, int prices, int profiles, int grids, int failures) {

    /** All records published, count. */
    public int total() {
        return endpoints + prices + profiles + grids;
    }
}
