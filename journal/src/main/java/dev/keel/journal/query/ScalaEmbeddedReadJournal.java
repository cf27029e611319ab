package dev.keel.journal.query;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.scaladsl.PersistenceIdsQuery;
import org.apache.pekko.persistence.query.scaladsl.ReadJournal;
import org.apache.pekko.stream.scaladsl.Source;

/** The Scala read journal: the same queries as {@link EmbeddedReadJournal}, as scaladsl sources. */
public final class ScalaEmbeddedReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
    CurrentEventsByPersistenceIdQuery, PersistenceIdsQuery, CurrentPersistenceIdsQuery, EventsByTagQuery,
    CurrentEventsByTagQuery {

    private final EmbeddedReadJournal journal;

    public ScalaEmbeddedReadJournal(EmbeddedReadJournal journal) {
        this.journal = journal;
    }

    public Source<EventEnvelope, NotUsed> allEvents(Offset offset) {
        return journal.allEvents(offset).asScala();
    }

    public Source<EventEnvelope, NotUsed> currentAllEvents(Offset offset) {
        return journal.currentAllEvents(offset).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        return journal.eventsByTag(tag, offset).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        return journal.currentEventsByTag(tag, offset).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                long toSequenceNr) {
        return journal.eventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                       long toSequenceNr) {
        return journal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
    }

    @Override
    public Source<String, NotUsed> persistenceIds() {
        return journal.persistenceIds().asScala();
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return journal.currentPersistenceIds().asScala();
    }
}
