package dev.keel.os.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rotates running containers' logs as they grow ({@link RotatingLog#rotateIfFull}). It watches each container's
 * directory with inotify and checks a log's size whenever the monitor wrote to it, on its own thread
 * ({@code container-log-rotation}), so a file overshoots {@code max-size} only by what the monitor writes while the
 * rotation is under way, not by a polling interval's worth.
 */
public final class LogRotation implements AutoCloseable {

    private static final System.Logger log = System.getLogger(LogRotation.class.getName());

    private final LogLimits limits;
    private final WatchService watcher;
    private final Map<WatchKey, Watched> watched = new ConcurrentHashMap<>();
    private final Thread thread;

    private record Watched(RotatingLog log, MonitorControl control) {}

    public LogRotation(LogLimits limits) {
        this.limits = limits;
        try {
            this.watcher = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this::run, "container-log-rotation");
        thread.setDaemon(true);
        if (limits.rotates()) {
            thread.start();
        }
    }

    public LogLimits limits() {
        return limits;
    }

    /**
     * Rotates {@code logFile} from now on while its directory exists, telling the monitor through {@code control}; also
     * checks it at once (a re-adopted container's log may have grown while the daemon was down).
     */
    public void watch(Path logFile, MonitorControl control) {
        if (!limits.rotates()) {
            return;
        }
        Watched target = new Watched(new RotatingLog(logFile), control);
        try {
            watched.put(logFile.getParent().register(watcher, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_CREATE), target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + logFile, e);
        }
        rotate(target);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                Watched target = watched.get(key);
                boolean written = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    written |= event.kind() == StandardWatchEventKinds.OVERFLOW
                        || (target != null && event.context() instanceof Path name
                            && name.equals(target.log().live().getFileName()));
                }
                if (written && target != null) {
                    rotate(target);
                }
                if (!key.reset()) {
                    watched.remove(key); // the container's directory is gone
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void rotate(Watched target) {
        try {
            target.log().rotateIfFull(limits, () -> {
                try {
                    target.control().reopenLog();
                } catch (MonitorFailure e) {
                    // Nothing writes the old file any more; the next monitor creates the live one.
                    log.log(System.Logger.Level.DEBUG, "log of a stopped container rotated: {0}", e.getMessage());
                }
            });
        } catch (UncheckedIOException e) {
            log.log(System.Logger.Level.WARNING, "rotating {0} failed: {1}", target.log().live(), e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
