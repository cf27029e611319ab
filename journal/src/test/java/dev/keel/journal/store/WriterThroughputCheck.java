package dev.keel.journal.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Manual measurement, not a test: how fast the writer alone commits synced events from many concurrent ids
 * (one write of one event in flight per id, like entities awaiting their persist), and how fast the events read
 * back in global order. Arguments: ids, events per id, payload bytes, [directory]; system property
 * {@code eventsPerWrite} (default 1) makes each atomic write carry that many events, {@code maxBatch} sets the group.
 */
public final class WriterThroughputCheck {

    private static final int EVENTS_PER_WRITE = Integer.getInteger("eventsPerWrite", 1);

    private WriterThroughputCheck() {
    }

    public static void main(String[] args) throws Exception {
        int ids = Integer.parseInt(args[0]);
        int perId = Integer.parseInt(args[1]);
        byte[] payload = new byte[Integer.parseInt(args[2])];
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("journal-throughput");
        EmbeddedJournalSettings settings = new EmbeddedJournalSettings(dir, Integer.getInteger("maxBatch", 1000), 64 << 20, 200_000, 65536, 64L << 20, 512, "unused");
        long total = (long) ids * perId;
        try (RunningJournal journal = RunningJournal.start(settings, Clock.systemUTC())) {
            CountDownLatch done = new CountDownLatch(ids);
            AtomicLong failures = new AtomicLong();
            long start = System.nanoTime();
            for (int i = 0; i < ids; i++) {
                append(journal.writer(), "pid-" + i, 1, perId, payload, done, failures);
            }
            done.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("write: %d events from %d ids in %.2f s = %.0f events/s, failures=%d%n",
                total, ids, seconds, total / seconds, failures.get());

            long readStart = System.nanoTime();
            long[] count = {0};
            journal.store().readEvents(1, Long.MAX_VALUE, Integer.MAX_VALUE, (offset, event) -> count[0]++);
            double readSeconds = (System.nanoTime() - readStart) / 1e9;
            System.out.printf("read all: %d events in %.2f s = %.0f events/s%n", count[0], readSeconds,
                count[0] / readSeconds);
        }
    }

    private static void append(JournalWriterProxy writer, String pid, long seqNr, int perId, byte[] payload,
                               CountDownLatch done, AtomicLong failures) {
        int size = (int) Math.min(EVENTS_PER_WRITE, perId - seqNr + 1);
        List<PreparedEvent> events = new java.util.ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            events.add(PreparedEvent.of(new EventRecord(pid, seqNr + i, 0L, "check", "", 4, "", List.of(), payload)));
        }
        long last = seqNr + size - 1;
        // Completion work runs off the writer thread, as the journal actor's does in the plugin.
        writer.append(List.of(new AtomicEvents(pid, events))).whenCompleteAsync((ok, error) -> {
            if (error != null) {
                failures.incrementAndGet();
                done.countDown();
            } else if (last == perId) {
                done.countDown();
            } else {
                append(writer, pid, last + 1, perId, payload, done, failures);
            }
        });
    }
}
