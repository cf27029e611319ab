package dev.keel.os.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the monitors' exit directory and completes a future when {@code <dir>/<id>} appears.
 *
 * <p>The monitor writes a temporary {@code <id>.XXXXXX} and renames it to {@code <id>}, so only the exact name counts
 * and the file is complete when it is seen. One thread serves every container. A file that already exists when someone
 * starts waiting completes the wait at once: this is how exits that happened while no daemon watched are found.
 */
public final class ExitWatcher implements AutoCloseable {

    private final Path dir;
    private final WatchService watchService;
    private final Map<String, List<CompletableFuture<Path>>> waiting = new ConcurrentHashMap<>();
    private final Thread thread;

    public ExitWatcher(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            this.watchService = dir.getFileSystem().newWatchService();
            dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this::run, "exit-watcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Completes with the exit file's path once it exists; the future is not shared, so callers may cancel it. */
    public CompletableFuture<Path> await(String name) {
        CompletableFuture<Path> future = new CompletableFuture<>();
        // Added inside the map's atomic update: a list fetched and added to afterwards could be one that the watcher
        // has just taken out and completed, and the future would wait for ever.
        waiting.compute(name, (n, futures) -> {
            List<CompletableFuture<Path>> list = futures == null ? new ArrayList<>() : futures;
            list.add(future);
            return list;
        });
        // Checked after registering, so a file written in between is seen by this check or by the watch event.
        completeIfPresent(name);
        return future;
    }

    private void completeIfPresent(String name) {
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            List<CompletableFuture<Path>> futures = waiting.remove(name);
            if (futures != null) {
                futures.forEach(f -> f.complete(file));
            }
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        waiting.keySet().forEach(this::completeIfPresent);
                    } else if (event.context() instanceof Path name) {
                        completeIfPresent(name.toString());
                    }
                }
                if (!key.reset()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed by close(): the watcher's end
        }
    }

    /** Stops watching; pending waits fail with {@link java.util.concurrent.CancellationException}. */
    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // Each list taken out whole: once out of the map, no await adds to it any more.
            for (String name : List.copyOf(waiting.keySet())) {
                List<CompletableFuture<Path>> futures = waiting.remove(name);
                if (futures != null) {
                    futures.forEach(f -> f.cancel(false));
                }
            }
        }
    }
}
