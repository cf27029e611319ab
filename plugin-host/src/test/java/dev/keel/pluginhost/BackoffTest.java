package dev.keel.pluginhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldStopBeforeWaitWouldPassLimit() {
        Backoff.Attempts attempts = new Backoff(Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofSeconds(1))
                .start();
        int waits = 0;
        while (attempts.awaitNext()) {
            waits++;
        }

        // 10 + 20 + 40 = 70 fits within 100, a further 80 would not
        assertThat(waits).isEqualTo(3);
        assertThat(attempts.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(70));
    }

    @Test
    void shouldNotWaitAtAllWithZeroLimit() {
        assertThat(new Backoff(Duration.ZERO, Duration.ofMillis(10), Duration.ofSeconds(1)).start().awaitNext())
                .isFalse();
    }
}
