package dev.tokenarena.energy;

import dev.tokenarena.schemas.v1.Endpoint;
import dev.tokenarena.schemas.v1.EnergyProfile;
import dev.tokenarena.schemas.v1.GridIntensity;
import dev.tokenarena.schemas.v1.PriceQuote;

/**
 * Where the feed publishes: Kafka in production ({@link KafkaFeedSink}), a list in tests. A call
 * that returns has published the record; a call that throws has not, and the feed will try again.
 */
public interface FeedSink {

    void accept(Endpoint endpoint);

    void accept(PriceQuote quote);

    void accept(EnergyProfile profile);

    void accept(GridIntensity intensity);
}
