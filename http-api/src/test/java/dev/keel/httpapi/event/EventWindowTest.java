package dev.keel.httpapi.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventWindowTest {

    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

    @Test
    void shouldStreamOnlyNewEventsWithoutSinceAndUntil() {
        EventWindow window = EventWindow.of(Optional.empty(), Optional.empty(), 41);

        assertThat(window.afterOffset()).isEqualTo(41);
        assertThat(window.endsBy(T)).isFalse();
        assertThat(window.includes(42, Instant.EPOCH)).isTrue();
    }

    @Test
    void shouldReplayFromTheStartForSinceATime() {
        EventWindow window = EventWindow.of(Optional.of("1700000000.5"), Optional.empty(), 10);

        assertThat(window.afterOffset()).isZero();
        assertThat(window.includes(3, T)).as("replayed before since").isFalse();
        assertThat(window.includes(3, T.plusMillis(500))).isTrue();
        assertThat(window.includes(11, T)).as("new events are not compared with since").isTrue();
    }

    @Test
    void shouldReplayEverythingUpToUntilWithoutSince() {
        EventWindow window = EventWindow.of(Optional.empty(), Optional.of("1700000000"), 10);

        assertThat(window.afterOffset()).isZero();
        assertThat(window.endsBy(T)).isTrue();
        assertThat(window.includes(1, T)).isTrue();
        assertThat(window.includes(1, T.plusNanos(1))).isFalse();
    }

    @Test
    void shouldResumeAfterAnOffset() {
        EventWindow window = EventWindow.of(Optional.of("offset:7"), Optional.empty(), 10);

        assertThat(window.afterOffset()).isEqualTo(7);
        assertThat(window.includes(8, Instant.EPOCH)).isTrue();
    }

    @Test
    void shouldParseDockersTimestamps() {
        assertThat(EventWindow.timestamp("since", "1700000000")).isEqualTo(T);
        assertThat(EventWindow.timestamp("since", "1700000000.123456789")).isEqualTo(T.plusNanos(123_456_789));
        assertThat(EventWindow.timestamp("since", "1700000000.1")).isEqualTo(T.plusMillis(100));
    }

    @Test
    void shouldRefuseMalformedValuesAndSinceAfterUntil() {
        assertThatThrownBy(() -> EventWindow.of(Optional.of("yesterday"), Optional.empty(), 0))
                .isInstanceOf(EngineFailure.class).hasMessageStartingWith("invalid value for since: yesterday");
        assertThatThrownBy(() -> EventWindow.of(Optional.of("offset:x"), Optional.empty(), 0))
                .isInstanceOf(EngineFailure.class).hasMessageContaining("offset:<number>");
        assertThatThrownBy(() -> EventWindow.of(Optional.of("20"), Optional.of("10"), 0))
                .isInstanceOf(EngineFailure.class)
                .hasMessage("`since` time (20) cannot be after `until` time (10)");
    }
}
