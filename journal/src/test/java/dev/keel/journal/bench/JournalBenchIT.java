package dev.keel.journal.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A smoke run of the journal bench at 1% scale: every phase runs end to end against the real embedded
 * journal and H2. Asserts the shape of the result, never the figures.
 */
class JournalBenchIT {

    private static final List<String> JOURNAL_KEYS = List.of("events_per_s", "h2_events_per_s", "ratio_vs_h2",
        "single_p50_ms", "single_p99_ms", "recovery_s", "query_s", "live_p99_ms");
    private static final List<String> KEELD_KEYS = List.of("idle_rss_mb", "start_s");
    private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");

    @TempDir
    Path workDir;

    @Test
    void shouldEndWithEveryJournalFigureAsANumber() throws Exception {
        // keeld is measured by bin/keel-bench, not here: in a reactor build it is not built yet when journal is verified.
        Config benchConfig = ConfigFactory.parseString("keel.journal.bench { scale = 0.01, keeld.path = \"\" }")
            .withFallback(JournalBench.benchConfig());
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new JournalBench(JournalBench.settings(benchConfig), benchConfig, workDir, System::nanoTime, out).run();
        }

        List<String> lines = output.toString(StandardCharsets.UTF_8).lines().toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).startsWith("journal: ");
        for (String key : JOURNAL_KEYS) {
            assertThat(valueOf(last, key)).as(key + " in: " + last).matches(NUMBER);
        }
        for (String key : KEELD_KEYS) {
            assertThat(valueOf(last, key)).as(key + " in: " + last).isEqualTo("n/a");
        }
    }

    private static String valueOf(String line, String key) {
        return Pattern.compile("(?:^|\\s)" + key + "=(\\S+)").matcher(line).results()
            .map(match -> match.group(1)).findFirst().orElse("<missing>");
    }
}
