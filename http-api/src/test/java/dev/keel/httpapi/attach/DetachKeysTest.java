package dev.keel.httpapi.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DetachKeysTest {

    private static ActorSystem<Void> system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "detach-keys-test");
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    /** What passes the watch, concatenated, and how often it saw the sequence. */
    private record Watched(String passed, int detaches) {}

    private static Watched watch(DetachKeys keys, String... chunks) throws Exception {
        AtomicInteger detaches = new AtomicInteger();
        List<ByteString> passed = Source.from(List.of(chunks)).map(ByteString::fromString)
                .via(keys.watch(detaches::incrementAndGet))
                .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return new Watched(passed.stream().map(ByteString::utf8String).reduce("", String::concat), detaches.get());
    }

    @Test
    void shouldReadDockersDefaultAsCtrlPCtrlQ() {
        assertThat(DetachKeys.DEFAULT.sequence().toArray()).containsExactly(16, 17);
    }

    @Test
    void shouldReadCharactersAndControlKeys() {
        assertThat(DetachKeys.parse("ctrl-a,x,ctrl-@,ctrl-_,CTRL-Z").sequence().toArray())
                .containsExactly(1, 'x', 0, 31, 26);
    }

    @Test
    void shouldRefuseKeysDockerRefuses() {
        for (String bad : List.of("", "ab", "ctrl-1", "ctrl-", "a,,b")) {
            assertThatThrownBy(() -> DetachKeys.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid detach keys");
        }
    }

    @Test
    void shouldEndTheInputWithoutTheSequenceWhenItSpansChunks() throws Exception {
        Watched watched = watch(DetachKeys.DEFAULT, "ab", "c\u0010", "\u0011rest", "more");

        assertThat(watched).isEqualTo(new Watched("abc", 1));
    }

    @Test
    void shouldPassHeldBytesOnWhenTheSequenceDoesNotFollow() throws Exception {
        Watched watched = watch(DetachKeys.DEFAULT, "x\u0010", "y", "\u0010\u0010z");

        assertThat(watched).isEqualTo(new Watched("x\u0010y\u0010\u0010z", 0));
    }

    @Test
    void shouldDetachOnASequenceThatFollowsAFalseStart() throws Exception {
        Watched watched = watch(DetachKeys.parse("a,b"), "aab", "c");

        assertThat(watched).isEqualTo(new Watched("a", 1));
    }
}
