package dev.keel.journal.bench;

import dev.keel.journal.query.EmbeddedReadJournal;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Source;

/** Every event of the embedded journal in global order, from offset 0, through its read journal. */
final class AllEventsFeed {

    private final EmbeddedReadJournal readJournal;

    private AllEventsFeed(EmbeddedReadJournal readJournal) {
        this.readJournal = readJournal;
    }

    static AllEventsFeed of(ActorSystem<?> system) {
        return new AllEventsFeed(PersistenceQuery.get(Adapter.toClassic(system))
            .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER));
    }

    /** To the end as it is when the query starts. */
    Source<EventEnvelope, NotUsed> current() {
        return readJournal.currentAllEvents(Offset.noOffset());
    }

    /** Then every event as it commits. */
    Source<EventEnvelope, NotUsed> live() {
        return readJournal.allEvents(Offset.noOffset());
    }
}
