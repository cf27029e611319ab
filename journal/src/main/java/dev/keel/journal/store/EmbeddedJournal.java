package dev.keel.journal.store;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal plugin ({@code keel.journal.embedded.journal}). Serializes on the journal actor, hands the encoded
 * events to the group-commit writer and returns a future the writer completes after the synced batch, so the actor
 * never waits for fsync. Replay and highest-sequence-number reads are point lookups and short scans, run on the
 * replay dispatcher so recoveries proceed in parallel with writes.
 * Deletion is logical (a deleted-to marker); the events stay in the global history.
 */
public final class EmbeddedJournal extends AsyncWriteJournal {

    private static final Iterable<Optional<Exception>> ALL_ACCEPTED = Collections.emptyList();

    private final RunningJournal journal;
    private final PersistentReprCodec codec;
    private final ExecutionContext replayExecutor;

    public EmbeddedJournal(Config config, String configPath) {
        this.journal = EmbeddedStorage.get(context().system()).forPlugin(configPath);
        this.codec = new PersistentReprCodec(SerializationExtension.get(context().system()));
        this.replayExecutor = context().system().dispatchers().lookup(config.getString("replay-dispatcher"));
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        long now = journal.clock().millis();
        List<AtomicEvents> writes = new ArrayList<>();
        List<Optional<Exception>> results = null;
        int index = 0;
        for (AtomicWrite write : messages) {
            try {
                List<PreparedEvent> events = new ArrayList<>(write.size());
                scala.collection.Iterator<PersistentRepr> it = write.payload().iterator();
                while (it.hasNext()) {
                    events.add(PreparedEvent.of(codec.toRecord(it.next(), now)));
                }
                writes.add(new AtomicEvents(write.persistenceId(), events));
                if (results != null) {
                    results.add(Optional.empty());
                }
            } catch (RuntimeException e) {
                // A payload that cannot be serialized rejects its own AtomicWrite only (Pekko's contract).
                if (results == null) {
                    results = new ArrayList<>(Collections.nCopies(index, Optional.empty()));
                }
                results.add(Optional.of(e));
            }
            index++;
        }
        Iterable<Optional<Exception>> outcome = results == null ? ALL_ACCEPTED : results;
        if (writes.isEmpty()) {
            return Futures.successful(outcome);
        }
        CompletableFuture<Void> synced = journal.writer().append(writes);
        return FutureConverters.asScala(synced.thenApply(done -> outcome));
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return FutureConverters.asScala(journal.writer().deleteTo(persistenceId, toSequenceNr));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        return Futures.future(() -> {
            // Pekko has just read the highest sequence number and bounds toSequenceNr by it.
            long from = Math.max(fromSequenceNr, journal.store().deletedTo(persistenceId) + 1);
            if (max > 0 && from <= toSequenceNr) {
                journal.store().readByPid(persistenceId, from, toSequenceNr, Long.MAX_VALUE, max,
                    (offset, record) -> replayCallback.accept(codec.toRepr(record)));
            }
            return null;
        }, replayExecutor);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return Futures.future(() -> {
            PidMetadata meta = journal.store().metadata(persistenceId);
            return meta == null ? 0L : meta.highestSequenceNr();
        }, replayExecutor);
    }
}
