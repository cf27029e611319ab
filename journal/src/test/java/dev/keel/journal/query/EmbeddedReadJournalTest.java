package dev.keel.journal.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.journal.store.NoteEntity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedReadJournalTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ActorTestKit kit;
    private EmbeddedReadJournal queries;
    private final List<SinkQueueWithCancel<?>> open = new ArrayList<>();

    @BeforeEach
    void start() {
        kit = ActorTestKit.create("queries", EmbeddedJournalConfig.forDir(dir));
        queries = PersistenceQuery.get(Adapter.toClassic(kit.system()))
            .getReadJournalFor(EmbeddedReadJournal.class, EmbeddedReadJournal.IDENTIFIER);
    }

    @AfterEach
    void stop() {
        open.forEach(SinkQueueWithCancel::cancel);
        kit.shutdownTestKit();
    }

    private ActorRef<NoteEntity.Command> entity(String id) {
        return kit.spawn(NoteEntity.create(id));
    }

    private void add(ActorRef<NoteEntity.Command> entity, List<String> notes) {
        TestProbe<Long> probe = kit.createTestProbe();
        entity.tell(new NoteEntity.Add(notes, probe.ref()));
        probe.expectMessageClass(Long.class, TIMEOUT);
    }

    private void add(ActorRef<NoteEntity.Command> entity, String... notes) {
        add(entity, List.of(notes));
    }

    private <T> List<T> current(Source<T, NotUsed> source) throws Exception {
        return source.runWith(Sink.seq(), kit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> SinkQueueWithCancel<T> live(Source<T, NotUsed> source) {
        SinkQueueWithCancel<T> queue = source.runWith(Sink.queue(), kit.system());
        open.add(queue);
        return queue;
    }

    private static <T> T next(SinkQueueWithCancel<T> queue) throws Exception {
        Optional<T> element = queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(element).isPresent();
        return element.get();
    }

    private static long offset(EventEnvelope envelope) {
        return ((Sequence) envelope.offset()).value();
    }

    private static String describe(EventEnvelope e) {
        return e.persistenceId() + ":" + e.sequenceNr() + ":" + e.event();
    }

    @Test
    void shouldReturnCurrentAllEventsInCommitOrderWithGlobalOffsets() throws Exception {
        add(entity("a"), "a1", "a2");
        add(entity("b"), "b1");

        List<EventEnvelope> events = current(queries.currentAllEvents(NoOffset.getInstance()));

        assertThat(events).extracting(EmbeddedReadJournalTest::offset).containsExactly(1L, 2L, 3L);
        assertThat(events).extracting(EmbeddedReadJournalTest::describe).containsExactly("a:1:a1", "a:2:a2", "b:1:b1");
    }

    @Test
    void shouldResumeAllEventsExactlyAfterTheGivenOffset() throws Exception {
        add(entity("a"), "a1", "a2", "a3", "a4");

        List<EventEnvelope> events = current(queries.currentAllEvents(Offset.sequence(2)));

        assertThat(events).extracting(EmbeddedReadJournalTest::offset).containsExactly(3L, 4L);
    }

    @Test
    void shouldDeliverALiveAllEventsSubscriberTheEventPersistedAfterItStarted() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "a1");
        SinkQueueWithCancel<EventEnvelope> queue = live(queries.allEvents(NoOffset.getInstance()));
        assertThat(describe(next(queue))).isEqualTo("a:1:a1");

        add(a, "a2");

        EventEnvelope live = next(queue);
        assertThat(describe(live)).isEqualTo("a:2:a2");
        assertThat(offset(live)).isEqualTo(2);
    }

    @Test
    void shouldCatchUpFromFarBehindThenGoLiveWithoutGapsOrDuplicates() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        for (int batch = 0; batch < 5; batch++) {
            int from = batch * 500;
            add(a, IntStream.range(from, from + 500).mapToObj(i -> "a" + i).collect(Collectors.toList()));
        }
        SinkQueueWithCancel<EventEnvelope> queue = live(queries.allEvents(NoOffset.getInstance()));
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            offsets.add(offset(next(queue)));
        }
        add(a, IntStream.range(0, 600).mapToObj(i -> "late" + i).collect(Collectors.toList()));
        for (int i = 0; i < 2_100; i++) {
            offsets.add(offset(next(queue)));
        }

        assertThat(offsets).containsExactlyElementsOf(
            IntStream.rangeClosed(1, 3_100).mapToObj(i -> (long) i).collect(Collectors.toList()));
    }

    @Test
    void shouldReturnCurrentEventsByPersistenceIdWithinTheRange() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "a1", "a2", "a3", "a4");
        add(entity("b"), "b1");

        List<EventEnvelope> events = current(queries.currentEventsByPersistenceId("a", 2, 3));

        assertThat(events).extracting(EmbeddedReadJournalTest::describe).containsExactly("a:2:a2", "a:3:a3");
    }

    @Test
    void shouldStreamLiveEventsByPersistenceIdAndCompleteAtToSequenceNr() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "a1");
        SinkQueueWithCancel<EventEnvelope> queue = live(queries.eventsByPersistenceId("a", 1, 2));
        assertThat(describe(next(queue))).isEqualTo("a:1:a1");

        add(entity("b"), "b1");
        add(a, "a2", "a3");

        assertThat(describe(next(queue))).isEqualTo("a:2:a2");
        assertThat(queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void shouldListPersistenceIdsOnceInOrderOfFirstWriteAndLiveAfterwards() throws Exception {
        add(entity("b"), "b1");
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "a1");
        add(a, "a2");
        assertThat(current(queries.currentPersistenceIds())).containsExactly("b", "a");
        SinkQueueWithCancel<String> queue = live(queries.persistenceIds());
        assertThat(next(queue)).isEqualTo("b");
        assertThat(next(queue)).isEqualTo("a");

        add(a, "a3");
        add(entity("c"), "c1");

        assertThat(next(queue)).isEqualTo("c");
    }

    @Test
    void shouldReturnTaggedEventsAfterTheOffsetAndLiveOnes() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "x1", "y1", "x2", "x3");
        List<EventEnvelope> tagged = current(queries.currentEventsByTag("t-x", NoOffset.getInstance()));
        assertThat(tagged).extracting(EmbeddedReadJournalTest::offset).containsExactly(1L, 3L, 4L);

        SinkQueueWithCancel<EventEnvelope> queue = live(queries.eventsByTag("t-x", Offset.sequence(3)));
        assertThat(offset(next(queue))).isEqualTo(4);
        add(a, "y2", "x4");

        EventEnvelope live = next(queue);
        assertThat(describe(live)).isEqualTo("a:6:x4");
        assertThat(offset(live)).isEqualTo(6);
    }

    @Test
    void shouldStillStreamLogicallyDeletedEventsInAllEvents() throws Exception {
        ActorRef<NoteEntity.Command> a = entity("a");
        add(a, "a1", "a2");
        org.apache.pekko.actor.ActorRef journal = org.apache.pekko.persistence.Persistence.get(
            Adapter.toClassic(kit.system())).journalFor(null, com.typesafe.config.ConfigFactory.empty());
        TestProbe<Object> probe = kit.createTestProbe();
        journal.tell(new org.apache.pekko.persistence.JournalProtocol.DeleteMessagesTo("a", 1,
            Adapter.toClassic(probe.ref())), org.apache.pekko.actor.ActorRef.noSender());
        probe.expectMessageClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class, TIMEOUT);

        assertThat(current(queries.currentAllEvents(NoOffset.getInstance()))).hasSize(2);
        assertThat(current(queries.currentEventsByPersistenceId("a", 0, Long.MAX_VALUE)))
            .extracting(EmbeddedReadJournalTest::describe).containsExactly("a:2:a2");
    }
}
