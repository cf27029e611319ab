package dev.keel.journal.bench;

import java.util.Locale;
import java.util.Optional;

/** The figures of one run, printed as the bench's last line. */
record JournalBenchResult(
    double eventsPerS,
    double h2EventsPerS,
    double singleP50Ms,
    double singleP99Ms,
    double recoveryS,
    double queryS,
    double liveP99Ms,
    Optional<KeeldFigures> keeld) {

    /** What keeld itself costs: resident memory when idle on an empty data root, and start time on a loaded one. */
    record KeeldFigures(double idleRssMb, double startS) {
    }

    String line() {
        return String.format(Locale.ROOT,
            "journal: events_per_s=%.0f h2_events_per_s=%.0f ratio_vs_h2=%.1f single_p50_ms=%.3f single_p99_ms=%.3f"
                + " recovery_s=%.2f query_s=%.2f live_p99_ms=%.3f idle_rss_mb=%s start_s=%s",
            eventsPerS, h2EventsPerS, eventsPerS / h2EventsPerS, singleP50Ms, singleP99Ms,
            recoveryS, queryS, liveP99Ms,
            keeld.map(k -> String.format(Locale.ROOT, "%.0f", k.idleRssMb())).orElse("n/a"),
            keeld.map(k -> String.format(Locale.ROOT, "%.2f", k.startS())).orElse("n/a"));
    }
}
