package dev.keel.actors.history;

import java.time.Instant;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Everything the domain ever recorded, in the journal's global order: the source of the Engine API's event stream
 * and of every projection. Offsets are gap-free and start at 1; nothing is ever removed.
 */
public interface History {

    /**
     * One recorded event.
     *
     * @param offset        its position in the global order
     * @param persistenceId the entity that recorded it ("Container|&lt;id&gt;", "Image|sha256:…", ...)
     * @param event         a domain event ({@code ContainerEntity.Event}, {@code ImageEntity.Event}, ...)
     */
    record Recorded(long offset, String persistenceId, Instant recordedAt, Object event) {}

    /** The events after {@code afterOffset} (0 for all of them), then every new one as it is recorded. */
    Source<Recorded, NotUsed> live(long afterOffset);

    /** The events after {@code afterOffset} up to the last one recorded when the stream started. */
    Source<Recorded, NotUsed> current(long afterOffset);

    /** The offset of the last event recorded so far, 0 when there is none: a stream of new events only starts after it. */
    long lastOffset();
}
