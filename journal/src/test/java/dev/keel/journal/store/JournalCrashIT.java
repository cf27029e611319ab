package dev.keel.journal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing JVM with SIGKILL at random moments (after a seeded-random number of acknowledgements) and checks,
 * after each kill, that the journal opens without repair, holds every acknowledged event in order, has gap-free
 * offsets and shows no partial atomic write; the next round continues on the same directory.
 */
class JournalCrashIT {

    private static final int PIDS = 200;
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldKeepEveryAcknowledgedEventAndNoPartialWriteAcrossKills() throws Exception {
        Random random = new Random(20261128L);
        Map<String, Long> acknowledged = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            int acksBeforeKill = 500 + random.nextInt(5_000);
            runAndKill(round, acksBeforeKill, acknowledged);
            verify(acknowledged);
        }
    }

    private void runAndKill(int round, int acksBeforeKill, Map<String, Long> acknowledged) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The killed child cannot delete the native library RocksDB extracts into its temp dir: keep it in ours.
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
            CrashingWriterMain.class.getName(), dir.resolve("journal").toString(), String.valueOf(PIDS), String.valueOf(round))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            int acks = 0;
            while (acks < acksBeforeKill) {
                String line = lines.readLine();
                assertThat(line).as("child output in round %d after %d acks", round, acks).isNotNull();
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    acknowledged.merge(parts[1], Long.parseLong(parts[3]), Math::max);
                    acks++;
                }
            }
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
    }

    private void verify(Map<String, Long> acknowledged) {
        try (JournalStore store = JournalStore.open(dir.resolve("journal"))) {
            long committed = store.committedOffset();
            long[] expectedOffset = {1};
            Map<String, Long> lastSeqNr = new HashMap<>();
            Map<String, int[]> openGroup = new HashMap<>();
            store.readEvents(1, Long.MAX_VALUE, Integer.MAX_VALUE, (offset, event) -> {
                assertThat(offset).as("global offset").isEqualTo(expectedOffset[0]++);
                long previous = lastSeqNr.getOrDefault(event.persistenceId(), 0L);
                assertThat(event.sequenceNr()).as("seqNr of %s", event.persistenceId()).isEqualTo(previous + 1);
                lastSeqNr.put(event.persistenceId(), event.sequenceNr());
                String[] marker = new String(event.payload(), StandardCharsets.UTF_8).split(":");
                int size = Integer.parseInt(marker[0]);
                int index = Integer.parseInt(marker[1]);
                int[] group = openGroup.computeIfAbsent(event.persistenceId(), pid -> new int[] {0, 0});
                assertThat(index).as("position in atomic write of %s", event.persistenceId()).isEqualTo(group[1]);
                group[0] = size;
                group[1] = index + 1 == size ? 0 : index + 1;
            });
            assertThat(expectedOffset[0] - 1).as("events readable vs committed offset").isEqualTo(committed);
            openGroup.forEach((pid, group) -> assertThat(group[1]).as("complete atomic writes of %s", pid).isZero());
            acknowledged.forEach((pid, seqNr) ->
                assertThat(lastSeqNr.getOrDefault(pid, 0L)).as("acknowledged events of %s", pid).isGreaterThanOrEqualTo(seqNr));
            lastSeqNr.forEach((pid, seqNr) -> {
                assertThat(store.metadata(pid).highestSequenceNr()).as("metadata of %s", pid).isEqualTo(seqNr);
                List<Long> bySeq = new java.util.ArrayList<>();
                store.readByPid(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                    (offset, event) -> bySeq.add(event.sequenceNr()));
                assertThat(bySeq).as("by-pid index of %s", pid).hasSize(seqNr.intValue());
            });
            List<String> pids = new java.util.ArrayList<>();
            store.readPersistenceIds(1, store.committedPidOrdinal(), Integer.MAX_VALUE, pids::add);
            assertThat(pids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(lastSeqNr.keySet());
        }
    }
}
