package dev.keel.journal.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process of {@link JournalCrashIT}: appends through the journal API from many persistence ids concurrently
 * (one atomic write in flight per id, 1 to 3 events each) until it is killed, printing {@code ACK pid fromSeqNr
 * toSeqNr} as soon as each write is acknowledged. Each event's payload is {@code size:index} of its atomic write.
 * Arguments: directory, number of persistence ids, seed.
 */
public final class CrashingWriterMain {

    private final JournalWriterProxy writer;
    private final PrintStream out;
    private final Random random;

    private CrashingWriterMain(JournalWriterProxy writer, PrintStream out, Random random) {
        this.writer = writer;
        this.out = out;
        this.random = random;
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        int pids = Integer.parseInt(args[1]);
        Random random = new Random(Long.parseLong(args[2]));
        EmbeddedJournalSettings settings = new EmbeddedJournalSettings(dir, 1000, 4 << 20, 200_000, 16384, 64L << 20, 512,
            "unused");
        RunningJournal journal = RunningJournal.start(settings, Clock.systemUTC());
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
            StandardCharsets.UTF_8);
        CrashingWriterMain main = new CrashingWriterMain(journal.writer(), out, random);
        for (int i = 0; i < pids; i++) {
            String pid = "pid-" + i;
            PidMetadata meta = journal.store().metadata(pid);
            main.appendNext(pid, meta == null ? 1 : meta.highestSequenceNr() + 1);
        }
        out.println("STARTED");
        out.flush();
        Thread.currentThread().join();
    }

    private void appendNext(String pid, long fromSeqNr) {
        int size;
        synchronized (random) {
            size = 1 + random.nextInt(3);
        }
        List<PreparedEvent> events = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            byte[] payload = (size + ":" + i).getBytes(StandardCharsets.UTF_8);
            events.add(PreparedEvent.of(new EventRecord(pid, fromSeqNr + i, 0L, "crash", "", 4, "", List.of(), payload)));
        }
        long toSeqNr = fromSeqNr + size - 1;
        writer.append(List.of(new AtomicEvents(pid, events))).whenComplete((done, error) -> {
            if (error == null) {
                synchronized (out) {
                    out.println("ACK " + pid + " " + fromSeqNr + " " + toSeqNr);
                    out.flush();
                }
                appendNext(pid, toSeqNr + 1);
            } else {
                appendNext(pid, fromSeqNr);
            }
        });
    }
}
