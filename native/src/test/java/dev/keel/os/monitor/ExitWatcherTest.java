package dev.keel.os.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExitWatcherTest {

    @TempDir
    Path dir;

    @Test
    void shouldCompleteWhenTheExitFileIsRenamedIntoPlace() throws Exception {
        try (ExitWatcher watcher = new ExitWatcher(dir)) {
            CompletableFuture<Path> exit = watcher.await("c1");
            Path temp = Files.writeString(dir.resolve("c1.AB12CD"), "7");
            assertThat(exit).isNotDone();

            Files.move(temp, dir.resolve("c1"), StandardCopyOption.ATOMIC_MOVE);

            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(dir.resolve("c1"));
        }
    }

    @Test
    void shouldCompleteAtOnceWhenTheFileAlreadyExists() throws Exception {
        Files.writeString(dir.resolve("c2"), "0");
        try (ExitWatcher watcher = new ExitWatcher(dir)) {
            assertThat(watcher.await("c2")).isCompletedWithValue(dir.resolve("c2"));
        }
    }

    @Test
    void shouldCancelPendingWaitsOnClose() {
        ExitWatcher watcher = new ExitWatcher(dir);
        CompletableFuture<Path> exit = watcher.await("c3");

        watcher.close();

        assertThat(exit).isCancelled();
    }

    @Test
    void shouldCompleteEveryOneOfManyConcurrentWaits() throws Exception {
        // Waits on one container from several threads (a stop's, the run's own, an API client's): each wait's own
        // check of the file takes out the list of waits, while another thread may be adding to it.
        Files.writeString(dir.resolve("c4"), "0");
        try (ExitWatcher watcher = new ExitWatcher(dir)) {
            List<CompletableFuture<Path>> exits = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> waiters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread waiter = new Thread(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        exits.add(watcher.await("c4"));
                    }
                });
                waiters.add(waiter);
                waiter.start();
            }
            for (Thread waiter : waiters) {
                waiter.join();
            }

            assertThat(exits).hasSize(80_000).allMatch(CompletableFuture::isDone);
        }
    }
}
