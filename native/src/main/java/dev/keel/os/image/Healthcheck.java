package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Docker's HEALTHCHECK in an image config; durations are nanoseconds as in Docker's JSON. */
public record Healthcheck(
    @JsonProperty("Test") List<String> test,
    @JsonProperty("Interval") Long interval,
    @JsonProperty("Timeout") Long timeout,
    @JsonProperty("StartPeriod") Long startPeriod,
    @JsonProperty("StartInterval") Long startInterval,
    @JsonProperty("Retries") Integer retries) {
}
