package dev.keel.journal.store;

import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** An open journal directory: its store, the writer agent on its thread, and the proxy to append through. */
public final class RunningJournal implements AutoCloseable {

    private final EmbeddedJournalSettings settings;
    private final JournalStore store;
    private final JournalWriterProxy proxy;
    private final WriterThread writerThread;
    private final Clock clock;

    private RunningJournal(EmbeddedJournalSettings settings, JournalStore store, JournalWriterProxy proxy,
                           WriterThread writerThread, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.proxy = proxy;
        this.writerThread = writerThread;
        this.clock = clock;
    }

    /** Opens the directory and starts the {@code journal-writer} thread. */
    public static RunningJournal start(EmbeddedJournalSettings settings, Clock clock) {
        JournalStore store = JournalStore.open(settings.dir(), settings.blockCacheBytes());
        BlockingQueue<WriterCommand> queue = new ArrayBlockingQueue<>(settings.writerQueueCapacity());
        JournalWriter writer = new JournalWriter(store, queue, settings, System::nanoTime);
        WriterThread thread = new WriterThread(writer, queue);
        JournalWriterProxy proxy = new JournalWriterProxy(queue, System::nanoTime, thread::wake);
        thread.start();
        return new RunningJournal(settings, store, proxy, thread, clock);
    }

    public EmbeddedJournalSettings settings() {
        return settings;
    }

    public JournalStore store() {
        return store;
    }

    public JournalWriterProxy writer() {
        return proxy;
    }

    /** Wall clock for event timestamps. */
    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        try {
            writerThread.close();
        } finally {
            store.close();
        }
    }
}
