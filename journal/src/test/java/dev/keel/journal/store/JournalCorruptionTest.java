package dev.keel.journal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCorruptionTest {

    @TempDir
    Path dir;

    private void writeEvents(JournalStore store, int count) {
        BlockingQueue<WriterCommand> queue = new ArrayBlockingQueue<>(count + 1);
        EmbeddedJournalSettings settings = new EmbeddedJournalSettings(dir, 100_000, 1 << 30, 0, count + 1, 64L << 20, 128, "unused");
        JournalWriter writer = new JournalWriter(store, queue, settings, System::nanoTime);
        JournalWriterProxy proxy = new JournalWriterProxy(queue, System::nanoTime, () -> { });
        for (int i = 1; i <= count; i++) {
            proxy.append(List.of(JournalWriterTest.write("pid-" + (i % 50), i / 50 + 1, 1)));
        }
        writer.doWork();
        writer.onClose();
    }

    @Test
    void shouldReportCrcMismatchNamingDirectoryAndKey() throws Exception {
        try (JournalStore store = JournalStore.open(dir)) {
            writeEvents(store, 3);
            byte[] value = store.rocks().get(store.events(), StoreKeys.longKey(2));
            value[value.length - 1] ^= 0x01;
            store.rocks().put(store.events(), StoreKeys.longKey(2), value);

            assertThatThrownBy(() -> store.readEvents(1, 3, 10, (offset, event) -> { }))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("CRC32C mismatch")
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("offset 2");
        }
    }

    @Test
    void shouldReportDamagedSstFileByName() throws IOException {
        try (JournalStore store = JournalStore.open(dir)) {
            writeEvents(store, 2_000);
        }
        Path sst = largestSst();
        damageMiddle(sst);

        assertThatThrownBy(() -> {
            try (JournalStore store = JournalStore.open(dir)) {
                store.readEvents(1, Long.MAX_VALUE, Integer.MAX_VALUE, (offset, event) -> { });
                for (int pid = 0; pid < 50; pid++) {
                    store.readByPid("pid-" + pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, (offset, event) -> { });
                }
            }
        }).isInstanceOf(JournalCorruptedException.class)
            .hasMessageContaining(sst.getFileName().toString())
            .hasMessageContaining(dir.toString());
    }

    @Test
    void shouldReportTheSameDamageAgainWhenOpenedOnceMore() throws IOException {
        try (JournalStore store = JournalStore.open(dir)) {
            writeEvents(store, 2_000);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path sst : files.filter(p -> p.toString().endsWith(".sst")).toList()) {
                damageAllButFooter(sst);
            }
        }

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> JournalStore.open(dir).close())
                .as("open attempt %d", attempt)
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(".sst")
                .hasMessageNotContaining("/LOCK");
        }
    }

    private Path largestSst() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Path sst = files.filter(p -> p.toString().endsWith(".sst"))
                .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
                .orElseThrow();
            assertThat(Files.size(sst)).isGreaterThan(4096);
            return sst;
        }
    }

    private static void damageMiddle(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 3;
            byte[] bytes = new byte[64];
            raf.seek(at);
            raf.readFully(bytes);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ~bytes[i];
            }
            raf.seek(at);
            raf.write(bytes);
        }
    }

    /** Every data, index and filter block fails its checksum; the footer stays, so RocksDB still finds them. */
    private static void damageAllButFooter(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] bytes = new byte[(int) raf.length() - 128];
            raf.readFully(bytes);
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ~bytes[i];
            }
            raf.seek(0);
            raf.write(bytes);
        }
    }
}
