package dev.keel.httpapi.event;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import java.time.Instant;
import java.util.Optional;

/**
 * Which events a {@code GET /events} asks for, from its {@code since} and {@code until} ("seconds[.fraction]" since
 * the epoch, as both docker CLIs send them; Keel also takes {@code since=offset:N}).
 *
 * <p>dockerd's rules: without {@code since} and {@code until} only new events are streamed; with either, the history
 * is replayed first, each replayed event at or after {@code since} and at or before {@code until}; new events are not
 * compared with {@code since}; the stream ends when {@code until} passes (at once when it has passed already).
 *
 * @param afterOffset where the stream starts: the offset of {@code since=offset:N}, 0 for a replay by time, the last
 *                    offset recorded for new events only
 * @param replayedUpTo the last offset recorded when the request came: events up to it are replayed, later ones new
 * @param since        replayed events before it are left out; {@link Instant#MIN} when open
 * @param until        the end of the stream; {@link Instant#MAX} when open
 */
public record EventWindow(long afterOffset, long replayedUpTo, Instant since, Instant until) {

    private static final String OFFSET_PREFIX = "offset:";

    public static EventWindow of(Optional<String> since, Optional<String> until, long lastOffset) {
        Instant untilTime = until.filter(u -> !u.isEmpty()).map(u -> timestamp("until", u)).orElse(Instant.MAX);
        String sinceValue = since.orElse("");
        if (sinceValue.startsWith(OFFSET_PREFIX)) {
            return new EventWindow(offset(sinceValue), lastOffset, Instant.MIN, untilTime);
        }
        if (sinceValue.isEmpty()) {
            return until.filter(u -> !u.isEmpty()).isPresent()
                    ? new EventWindow(0, lastOffset, Instant.MIN, untilTime)
                    : new EventWindow(lastOffset, lastOffset, Instant.MIN, Instant.MAX);
        }
        Instant sinceTime = timestamp("since", sinceValue);
        if (sinceTime.isAfter(untilTime)) {
            throw invalid("`since` time (" + sinceValue + ") cannot be after `until` time (" + until.orElseThrow() + ")");
        }
        return new EventWindow(0, lastOffset, sinceTime, untilTime);
    }

    /** True when the stream ends by itself: {@code until} has passed at {@code now}. */
    public boolean endsBy(Instant now) {
        return !until.isAfter(now);
    }

    public boolean includes(long offset, Instant time) {
        return !time.isAfter(until) && (offset > replayedUpTo || !time.isBefore(since));
    }

    private static long offset(String value) {
        try {
            long offset = Long.parseLong(value.substring(OFFSET_PREFIX.length()));
            if (offset < 0) {
                throw invalid("invalid value for since: offset must not be negative: " + value);
            }
            return offset;
        } catch (NumberFormatException e) {
            throw invalid("invalid value for since: expected offset:<number>, got " + value);
        }
    }

    /** Docker's {@code timetypes.ParseTimestamps}: seconds, optionally a fraction of up to nine digits. */
    static Instant timestamp(String name, String value) {
        int dot = value.indexOf('.');
        try {
            long seconds = Long.parseLong(dot < 0 ? value : value.substring(0, dot));
            if (dot < 0) {
                return Instant.ofEpochSecond(seconds);
            }
            String fraction = value.substring(dot + 1);
            if (fraction.isEmpty() || fraction.length() > 9 || !fraction.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException(fraction);
            }
            long nanos = Long.parseLong(fraction) * (long) Math.pow(10, 9 - fraction.length());
            return Instant.ofEpochSecond(seconds, seconds < 0 ? -nanos : nanos);
        } catch (NumberFormatException e) {
            throw invalid("invalid value for " + name + ": " + value
                    + " (expected seconds since the epoch with an optional fraction, e.g. 1700000000.5)");
        }
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
