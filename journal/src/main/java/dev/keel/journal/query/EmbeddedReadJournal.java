package dev.keel.journal.query;

import dev.keel.journal.store.JournalStore;
import dev.keel.journal.store.PersistentReprCodec;
import dev.keel.journal.store.PidMetadata;
import dev.keel.journal.store.RunningJournal;
import java.util.ArrayDeque;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset$;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.PersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The Java read journal of the embedded journal. Offsets are {@code Sequence(global offset)}; a query resumes
 * strictly after the offset it is given. {@link #allEvents(Offset)} is the whole history in commit order.
 */
public final class EmbeddedReadJournal implements ReadJournal, EventsByPersistenceIdQuery,
    CurrentEventsByPersistenceIdQuery, PersistenceIdsQuery, CurrentPersistenceIdsQuery, EventsByTagQuery,
    CurrentEventsByTagQuery {

    /** The read journal id, as configured in reference.conf. */
    public static final String IDENTIFIER = "keel.journal.embedded.query";

    private final JournalStore store;
    private final PersistentReprCodec codec;
    private final int chunkSize;
    private final String dispatcher;

    public EmbeddedReadJournal(RunningJournal journal, PersistentReprCodec codec) {
        this.store = journal.store();
        this.codec = codec;
        this.chunkSize = journal.settings().readChunkEvents();
        this.dispatcher = journal.settings().queryDispatcher();
    }

    /** Every event after {@code offset} in global order, then new events as they commit. */
    public Source<EventEnvelope, NotUsed> allEvents(Offset offset) {
        long after = offsetValue(offset);
        return events(() -> new AllEventsReader(after), true);
    }

    /** Every event after {@code offset} committed when the query starts. */
    public Source<EventEnvelope, NotUsed> currentAllEvents(Offset offset) {
        long after = offsetValue(offset);
        return events(() -> new AllEventsReader(after), false);
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByTag(String tag, Offset offset) {
        long after = offsetValue(offset);
        return events(() -> new TagReader(tag, after), true);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByTag(String tag, Offset offset) {
        long after = offsetValue(offset);
        return events(() -> new TagReader(tag, after), false);
    }

    @Override
    public Source<EventEnvelope, NotUsed> eventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                long toSequenceNr) {
        return events(() -> new PidReader(persistenceId, fromSequenceNr, toSequenceNr), true);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
                                                                       long toSequenceNr) {
        return events(() -> new PidReader(persistenceId, fromSequenceNr, toSequenceNr), false);
    }

    @Override
    public Source<String, NotUsed> persistenceIds() {
        return pids(true);
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return pids(false);
    }

    private Source<EventEnvelope, NotUsed> events(java.util.function.Supplier<ChunkReader<EventEnvelope>> reader,
                                                  boolean live) {
        return Source.fromGraph(new JournalTailSource<>(reader, store::committedOffset, store.notifier(), live, chunkSize))
            .withAttributes(ActorAttributes.dispatcher(dispatcher));
    }

    private Source<String, NotUsed> pids(boolean live) {
        return Source.fromGraph(new JournalTailSource<>(PidsReader::new, store::committedPidOrdinal, store.notifier(),
                live, chunkSize))
            .withAttributes(ActorAttributes.dispatcher(dispatcher));
    }

    static long offsetValue(Offset offset) {
        if (offset instanceof Sequence sequence) {
            return sequence.value();
        }
        if (offset == null || offset instanceof NoOffset$) {
            return 0L;
        }
        throw new IllegalArgumentException("the embedded journal uses Sequence offsets (global offsets), not " + offset);
    }

    private EventEnvelope envelope(long offset, dev.keel.journal.store.EventRecord record) {
        return new EventEnvelope(Sequence.apply(offset), record.persistenceId(), record.sequenceNr(),
            codec.payload(record), record.timestampMillis());
    }

    private final class AllEventsReader implements ChunkReader<EventEnvelope> {
        private long cursor;

        AllEventsReader(long after) {
            this.cursor = after;
        }

        @Override
        public Progress read(long watermark, int limit, ArrayDeque<EventEnvelope> out) {
            if (cursor >= watermark) {
                return Progress.CAUGHT_UP;
            }
            int n = store.readEvents(cursor + 1, watermark, limit, (offset, record) -> {
                out.add(envelope(offset, record));
                cursor = offset;
            });
            if (n == limit) {
                return Progress.MORE;
            }
            cursor = watermark;
            return Progress.CAUGHT_UP;
        }
    }

    private final class TagReader implements ChunkReader<EventEnvelope> {
        private final String tag;
        private long cursor;

        TagReader(String tag, long after) {
            this.tag = tag;
            this.cursor = after;
        }

        @Override
        public Progress read(long watermark, int limit, ArrayDeque<EventEnvelope> out) {
            if (cursor >= watermark) {
                return Progress.CAUGHT_UP;
            }
            int before = out.size();
            cursor = store.readTagged(tag, cursor + 1, watermark, limit,
                (offset, record) -> out.add(envelope(offset, record)));
            return out.size() - before == limit ? Progress.MORE : Progress.CAUGHT_UP;
        }
    }

    private final class PidReader implements ChunkReader<EventEnvelope> {
        private final String persistenceId;
        private final long toSequenceNr;
        private long cursor;
        private boolean started;

        PidReader(String persistenceId, long fromSequenceNr, long toSequenceNr) {
            this.persistenceId = persistenceId;
            this.toSequenceNr = toSequenceNr;
            this.cursor = Math.max(0, fromSequenceNr - 1);
        }

        @Override
        public Progress read(long watermark, int limit, ArrayDeque<EventEnvelope> out) {
            if (!started) {
                PidMetadata meta = store.metadata(persistenceId);
                cursor = Math.max(cursor, meta == null ? 0 : meta.deletedTo());
                started = true;
            }
            if (cursor >= toSequenceNr) {
                return Progress.DONE;
            }
            int n = store.readByPid(persistenceId, cursor + 1, toSequenceNr, watermark, limit, (offset, record) -> {
                out.add(envelope(offset, record));
                cursor = record.sequenceNr();
            });
            if (cursor >= toSequenceNr) {
                return Progress.DONE;
            }
            return n == limit ? Progress.MORE : Progress.CAUGHT_UP;
        }
    }

    private final class PidsReader implements ChunkReader<String> {
        private long cursor;

        @Override
        public Progress read(long watermark, int limit, ArrayDeque<String> out) {
            if (cursor >= watermark) {
                return Progress.CAUGHT_UP;
            }
            int n = store.readPersistenceIds(cursor + 1, watermark, limit, out::add);
            cursor += n;
            return n == limit ? Progress.MORE : Progress.CAUGHT_UP;
        }
    }
}
