package dev.keel.actors.history;

import dev.keel.journal.query.EmbeddedReadJournal;
import dev.keel.journal.store.EmbeddedStorage;
import dev.keel.journal.store.JournalStore;
import java.time.Instant;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@link History} read from the embedded journal: its global offsets are the history's offsets, and queries read on
 * the read journal's own dispatcher, never on an actor's thread.
 */
public final class JournalHistory implements History {

    private final EmbeddedReadJournal journal;
    private final JournalStore store;

    public JournalHistory(ActorSystem<?> system) {
        this.journal = PersistenceQuery.get(system)
                .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER);
        this.store = EmbeddedStorage.get(system.classicSystem()).forPlugin(EmbeddedReadJournal.IDENTIFIER).store();
    }

    @Override
    public Source<Recorded, NotUsed> live(long afterOffset) {
        return journal.allEvents(Sequence.apply(afterOffset)).map(JournalHistory::recorded);
    }

    @Override
    public Source<Recorded, NotUsed> current(long afterOffset) {
        return journal.currentAllEvents(Sequence.apply(afterOffset)).map(JournalHistory::recorded);
    }

    @Override
    public long lastOffset() {
        return store.committedOffset();
    }

    private static Recorded recorded(EventEnvelope envelope) {
        return new Recorded(((Sequence) envelope.offset()).value(), envelope.persistenceId(),
                Instant.ofEpochMilli(envelope.timestamp()), envelope.event());
    }
}
