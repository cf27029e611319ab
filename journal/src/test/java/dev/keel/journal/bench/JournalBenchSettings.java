package dev.keel.journal.bench;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The knobs of {@code bin/keel-bench journal}, from {@code keel.journal.bench} in {@code bench/journal-bench.conf}.
 * Counts and durations are already multiplied by {@code scale}, which shrinks a whole run for a smoke test.
 */
record JournalBenchSettings(
    double scale,
    int entities,
    int eventBytes,
    Duration warmup,
    Duration window,
    int repeats,
    int singleEvents,
    int recoveryEntities,
    int recoveryEventsPerEntity,
    int recoveryParallelism,
    Duration askTimeout,
    Duration phaseTimeout,
    Optional<Path> keeld,
    Duration keeldPingTimeout,
    Duration keeldIdleWindow,
    Duration keeldIdleCpu,
    Duration keeldIdleTimeout,
    Duration keeldStopTimeout) {

    static JournalBenchSettings from(Config bench) {
        double scale = bench.getDouble("scale");
        if (scale <= 0 || scale > 1) {
            throw new IllegalArgumentException("keel.journal.bench.scale must be in (0, 1]: " + scale);
        }
        String keeld = bench.getString("keeld.path");
        return new JournalBenchSettings(
            scale,
            scaled(bench.getInt("entities"), scale),
            bench.getInt("event-bytes"),
            scaled(bench.getDuration("warmup"), scale),
            scaled(bench.getDuration("window"), scale),
            bench.getInt("repeats"),
            scaled(bench.getInt("single-events"), scale),
            scaled(bench.getInt("recovery.entities"), scale),
            bench.getInt("recovery.events-per-entity"),
            bench.getInt("recovery.parallelism"),
            bench.getDuration("ask-timeout"),
            bench.getDuration("phase-timeout"),
            keeld.isBlank() ? Optional.empty() : Optional.of(Path.of(keeld)),
            bench.getDuration("keeld.ping-timeout"),
            bench.getDuration("keeld.idle-window"),
            bench.getDuration("keeld.idle-cpu"),
            bench.getDuration("keeld.idle-timeout"),
            bench.getDuration("keeld.stop-timeout"));
    }

    long recoveryEvents() {
        return (long) recoveryEntities * recoveryEventsPerEntity;
    }

    private static int scaled(int count, double scale) {
        return Math.max(1, (int) Math.round(count * scale));
    }

    private static Duration scaled(Duration duration, double scale) {
        return Duration.ofNanos(Math.max(1, Math.round(duration.toNanos() * scale)));
    }
}
