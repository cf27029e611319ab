package dev.keel.httpapi.route;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The Engine API version a request speaks: its {@code /vX.Y/} prefix, or {@link #MAX} without one. Negotiation
 * happens here only; endpoint groups read the result with {@link #of(HttpRequest)} where a field depends on it
 * (the legacy {@code status}/{@code id}/{@code from} of events, {@code VirtualSize} of images).
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

    public static final ApiVersion MIN = new ApiVersion(1, 24);
    public static final ApiVersion MAX = new ApiVersion(1, 41);

    /** Set by {@link ApiRoutes} on every request it routes. */
    static final AttributeKey<ApiVersion> KEY = AttributeKey.create("keel-api-version", ApiVersion.class);

    /** The version {@link ApiRoutes} negotiated for {@code request}. */
    public static ApiVersion of(HttpRequest request) {
        return request.getAttribute(KEY).orElse(MAX);
    }

    /**
     * The version of a path prefix without its "v" ("1.41"), refused with Docker's words when outside
     * [{@link #MIN}, {@link #MAX}].
     */
    public static ApiVersion supported(String text) {
        ApiVersion version = parse(text);
        if (version.isBefore(MIN)) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "client version " + text + " is too old. Minimum supported API"
                    + " version is " + MIN + ", please upgrade your client to a newer version");
        }
        if (MAX.isBefore(version)) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "client version " + text + " is too new. Maximum supported API"
                    + " version is " + MAX);
        }
        return version;
    }

    static ApiVersion parse(String text) {
        int dot = text.indexOf('.');
        try {
            if (dot <= 0 || dot == text.length() - 1) {
                throw new NumberFormatException(text);
            }
            return new ApiVersion(Integer.parseInt(text.substring(0, dot)), Integer.parseInt(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "invalid API version " + text);
        }
    }

    public boolean isBefore(ApiVersion other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(ApiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
