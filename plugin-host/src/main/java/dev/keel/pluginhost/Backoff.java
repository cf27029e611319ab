package dev.keel.pluginhost;

import java.time.Duration;

/**
 * Docker's retry schedule for plugins: wait the initial delay, double it after each failure (up to the max delay),
 * and give up once the next wait would end past the limit, counted from the first attempt.
 */
record Backoff(Duration limit, Duration initialDelay, Duration maxDelay) {

    static Backoff of(PluginHostSettings settings) {
        return new Backoff(settings.retryLimit(), settings.retryInitialDelay(), settings.retryMaxDelay());
    }

    /** One sequence of attempts. */
    Attempts start() {
        return new Attempts(System.nanoTime(), initialDelay);
    }

    final class Attempts {
        private final long startNanos;
        private Duration nextDelay;

        private Attempts(long startNanos, Duration firstDelay) {
            this.startNanos = startNanos;
            this.nextDelay = firstDelay;
        }

        /**
         * Waits before the next attempt.
         *
         * @return false, without waiting, when the wait would pass the limit: stop retrying
         */
        boolean awaitNext() {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            if (elapsed.plus(nextDelay).compareTo(limit) > 0) {
                return false;
            }
            try {
                Thread.sleep(nextDelay.toMillis(), nextDelay.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            Duration doubled = nextDelay.multipliedBy(2);
            nextDelay = doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
            return true;
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }
    }
}
