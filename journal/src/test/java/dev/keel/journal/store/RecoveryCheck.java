package dev.keel.journal.store;

import dev.keel.journal.query.EmbeddedReadJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Manual measurement, not a test: fills a journal with {@code ids} x {@code eventsPerId} string events through the
 * writer, then measures (1) Pekko recovering every entity (spawn + a Get that waits for recovery) and (2) the
 * all-events query read from offset 0 to the end. Arguments: ids, events per id.
 */
public final class RecoveryCheck {

    private RecoveryCheck() {
    }

    public static void main(String[] args) throws Exception {
        int ids = Integer.parseInt(args[0]);
        int perId = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("journal-recovery");
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "recovery",
            EmbeddedJournalConfig.forDir(dir));
        try {
            RunningJournal journal = EmbeddedStorage.get(Adapter.toClassic(system))
                .forPlugin("keel.journal.embedded.journal");
            int stringSerializer = SerializationExtension.get(system).findSerializerFor("x").identifier();
            long fillStart = System.nanoTime();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < ids; i++) {
                String pid = "entity-" + i;
                List<PreparedEvent> events = new ArrayList<>(perId);
                for (int s = 1; s <= perId; s++) {
                    events.add(PreparedEvent.of(new EventRecord(pid, s, 1L, "fill", "", stringSerializer, "",
                        List.of(), ("e" + s).getBytes(StandardCharsets.UTF_8))));
                }
                writes.add(journal.writer().append(List.of(new AtomicEvents(pid, events))));
                if (writes.size() == 5_000) {
                    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
                    writes.clear();
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
            System.out.printf("fill: %d events in %.2f s%n", (long) ids * perId, (System.nanoTime() - fillStart) / 1e9);

            PersistentReprCodec codec = new PersistentReprCodec(SerializationExtension.get(system));
            long replayStart = System.nanoTime();
            long[] replayed = {0};
            for (int i = 0; i < ids; i++) {
                String pid = "entity-" + i;
                PidMetadata meta = journal.store().metadata(pid);
                journal.store().readByPid(pid, meta.deletedTo() + 1, meta.highestSequenceNr(), Long.MAX_VALUE,
                    Long.MAX_VALUE, (offset, record) -> replayed[0] += codec.toRepr(record).sequenceNr() > 0 ? 1 : 0);
            }
            System.out.printf("plugin replay path alone (metadata + by-pid scan + decode + deserialize): %d events "
                + "in %.2f s%n", replayed[0], (System.nanoTime() - replayStart) / 1e9);

            long recoveryStart = System.nanoTime();
            List<CompletionStage<String>> states = new ArrayList<>(ids);
            Duration timeout = Duration.ofSeconds(120);
            for (int i = 0; i < ids; i++) {
                String id = "entity-" + i;
                states.add(AskPattern.<SpawnProtocol.Command, ActorRef<NoteEntity.Command>>ask(system,
                        replyTo -> new SpawnProtocol.Spawn<>(NoteEntity.create(id), id,
                            org.apache.pekko.actor.typed.Props.empty(), replyTo), timeout, system.scheduler())
                    .thenCompose(entity -> AskPattern.ask(entity, NoteEntity.Get::new, timeout, system.scheduler())));
            }
            long recovered = 0;
            for (CompletionStage<String> state : states) {
                if (state.toCompletableFuture().get(120, TimeUnit.SECONDS).split(",").length == perId) {
                    recovered++;
                }
            }
            System.out.printf("recovery: %d of %d entities with all %d events in %.2f s%n", recovered, ids, perId,
                (System.nanoTime() - recoveryStart) / 1e9);

            EmbeddedReadJournal queries = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER);
            long queryStart = System.nanoTime();
            long count = queries.currentAllEvents(NoOffset.getInstance()).runWith(Sink.fold(0L, (n, e) -> n + 1), system)
                .toCompletableFuture().get(120, TimeUnit.SECONDS);
            System.out.printf("allEvents from offset 0: %d events in %.2f s%n", count,
                (System.nanoTime() - queryStart) / 1e9);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
