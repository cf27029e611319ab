package dev.keel.journal.query;

import dev.keel.journal.store.AtomicEvents;
import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.journal.store.EmbeddedStorage;
import dev.keel.journal.store.EventRecord;
import dev.keel.journal.store.JournalWriterProxy;
import dev.keel.journal.store.PreparedEvent;
import dev.keel.journal.store.RunningJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Manual measurement, not a test: {@code ids} concurrent writers (one write in flight each) append through the
 * writer while one live {@code allEvents} subscription runs; reports events/s and the latency from a write's
 * acknowledgement to its delivery on the subscription (0 when delivery beat the acknowledgement callback).
 * Arguments: ids, events per id.
 */
public final class LiveLatencyCheck {

    private LiveLatencyCheck() {
    }

    public static void main(String[] args) throws Exception {
        int ids = Integer.parseInt(args[0]);
        int perId = Integer.parseInt(args[1]);
        int total = ids * perId;
        Path dir = Files.createTempDirectory("journal-latency");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "latency", EmbeddedJournalConfig.forDir(dir));
        try {
            RunningJournal journal = EmbeddedStorage.get(Adapter.toClassic(system)).forPlugin("keel.journal.embedded.journal");
            int serializer = SerializationExtension.get(system).findSerializerFor("x").identifier();
            EmbeddedReadJournal queries = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER);
            ConcurrentHashMap<String, Long> ackedAt = new ConcurrentHashMap<>();
            long[] latencies = new long[total];
            AtomicInteger delivered = new AtomicInteger();
            CountDownLatch allDelivered = new CountDownLatch(1);
            queries.allEvents(NoOffset.getInstance()).runWith(Sink.foreach(envelope -> {
                long now = System.nanoTime();
                Long acked = ackedAt.putIfAbsent(envelope.persistenceId() + ":" + envelope.sequenceNr(), now);
                int i = delivered.getAndIncrement();
                latencies[i] = acked == null ? 0 : now - acked;
                if (i + 1 == total) {
                    allDelivered.countDown();
                }
            }), system);
            long start = System.nanoTime();
            for (int i = 0; i < ids; i++) {
                append(journal.writer(), "pid-" + i, 1, perId, serializer, ackedAt);
            }
            if (!allDelivered.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + delivered.get() + " of " + total + " delivered");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            System.out.printf("%d events from %d ids in %.2f s = %.0f events/s; ack->live delivery p50=%.2f ms "
                    + "p99=%.2f ms max=%.2f ms%n", total, ids, seconds, total / seconds,
                latencies[total / 2] / 1e6, latencies[(int) (total * 0.99)] / 1e6, latencies[total - 1] / 1e6);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void append(JournalWriterProxy writer, String pid, long seqNr, int perId, int serializer,
                               ConcurrentHashMap<String, Long> ackedAt) {
        EventRecord record = new EventRecord(pid, seqNr, 0L, "latency", "", serializer, "", List.of(),
            ("e" + seqNr).getBytes(StandardCharsets.UTF_8));
        writer.append(List.of(new AtomicEvents(pid, List.of(PreparedEvent.of(record))))).whenCompleteAsync((ok, error) -> {
            if (error != null) {
                throw new IllegalStateException(error);
            }
            ackedAt.putIfAbsent(pid + ":" + seqNr, System.nanoTime());
            if (seqNr < perId) {
                append(writer, pid, seqNr + 1, perId, serializer, ackedAt);
            }
        });
    }
}
