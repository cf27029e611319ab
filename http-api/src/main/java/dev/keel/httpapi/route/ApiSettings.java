package dev.keel.httpapi.route;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Every knob of {@code keel.http-api} (defaults and docs in reference.conf).
 *
 * @param maxBodyBytes the largest request body an endpoint reads into memory (JSON); archives streamed to the image
 *                     store or a container are not bounded by it
 * @param bodyIdleTimeout  how long a streamed body (an image archive) may send nothing before the request fails
 */
public record ApiSettings(long maxBodyBytes, Duration bodyIdleTimeout) {

    public ApiSettings {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("keel.http-api.max-body-bytes must be positive, got " + maxBodyBytes);
        }
        if (bodyIdleTimeout.isNegative() || bodyIdleTimeout.isZero()) {
            throw new IllegalArgumentException("keel.http-api.body-idle-timeout must be positive, got " + bodyIdleTimeout);
        }
    }

    /**
     * @throws IllegalArgumentException with an operator-facing message on a bad value
     */
    public static ApiSettings from(Config config) {
        try {
            Config api = config.getConfig("keel.http-api");
            return new ApiSettings(api.getBytes("max-body-bytes"), api.getDuration("body-idle-timeout"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }
}
