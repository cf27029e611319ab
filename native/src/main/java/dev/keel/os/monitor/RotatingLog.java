package dev.keel.os.monitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;

/**
 * A container's log (json-file, or the k8s-file of a conmon that an older daemon started; {@link LogFiles}) with
 * Docker's json-file rotation: the live file {@code <log>} and the rotated {@code <log>.1} (newest) …
 * {@code <log>.<max-file − 1>} (oldest).
 *
 * <p>How: the monitor reopens its log when {@code 2 0 0\n} arrives on its control FIFO
 * ({@link MonitorControl#reopenLog}), with {@code O_CREAT|O_APPEND} (conmon 2.1.6 does too, and its own
 * {@code --log-size-max} truncates in place, losing lines). So {@link #rotateIfFull} renames the live file to
 * {@code <log>.1} and asks for the reopen: until the monitor handles it, it keeps writing through its fd into what is
 * now {@code <log>.1}, and from then on into a new {@code <log>}, so no line is lost and the files stay in order. A
 * rotated file can thus still grow until the live file exists again, which is why a rotation waits for it, and why
 * a dropped file is never one that the monitor may still write. A file ends a little past {@code max-size}: by what
 * the monitor writes between the size check and the reopen.
 *
 * <p>Readers go through every kept file, oldest first. A line that a rotation cut in two (a partial record before,
 * the record that ends it after) is joined because the files are parsed as one stream. A follower holds a
 * {@link LogPosition} (file key and offset), so a rename does not move it; if its file was dropped before it came
 * back, it goes on from the oldest kept file.
 */
public final class RotatingLog {

    private static final int SNAPSHOT_ATTEMPTS = 5;

    private final Path live;

    public RotatingLog(Path live) {
        this.live = live;
    }

    public Path live() {
        return live;
    }

    /** {@code <log>.n}: n = 1 is the newest rotated file. */
    public Path rotated(int n) {
        return live.resolveSibling(live.getFileName() + "." + n);
    }

    /** Whether {@code file} is the live log or one of its rotated files. */
    public boolean isPartOf(Path file) {
        String name = file.getFileName().toString();
        String base = live.getFileName().toString();
        return name.equals(base) || (name.startsWith(base + ".") && name.substring(base.length() + 1).matches("\\d+"));
    }

    /**
     * Rotates when the live file has reached the limit: drops the oldest kept file, shifts the others and renames
     * the live file to {@code <log>.1}, then calls {@code reopen} (which tells the monitor). Does nothing while the
     * live file is missing (the monitor has not reopened since the last rotation, or never wrote).
     *
     * @return whether it rotated
     */
    public boolean rotateIfFull(LogLimits limits, Runnable reopen) {
        if (!limits.rotates()) {
            return false;
        }
        try {
            long size;
            try {
                size = Files.size(live);
            } catch (NoSuchFileException e) {
                return false;
            }
            // The monitor writes into the live file now, so no rotated file is in use and any beyond the window can
            // go; with max-file=1 that is the previous live file, kept only until the monitor let go of it.
            int beyond = limits.maxFiles();
            while (Files.deleteIfExists(rotated(beyond))) {
                beyond++;
            }
            if (size < limits.maxBytes()) {
                return false;
            }
            for (int n = limits.maxFiles() - 1; n >= 1; n--) {
                if (Files.exists(rotated(n))) {
                    Files.move(rotated(n), rotated(n + 1), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                }
            }
            if (limits.maxFiles() > 1) {
                Files.deleteIfExists(rotated(limits.maxFiles()));
            }
            Files.move(live, rotated(1), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("rotating " + live, e);
        }
        reopen.run();
        return true;
    }

    /** Every kept line, oldest first; a trailing partial line is included. */
    public List<LogEntry> readAll() {
        return readFrom(LogPosition.START, true).entries();
    }

    /**
     * The lines from {@code position} on, across rotations, oldest first.
     *
     * @param includeTrailingPartial also return a last line still being written (for a final read); otherwise it is
     *     left for the next read, which starts at the returned position
     */
    public Chunk readFrom(LogPosition position, boolean includeTrailingPartial) {
        for (int attempt = 1; ; attempt++) {
            List<Segment> files = snapshot();
            List<FileChannel> channels = new ArrayList<>();
            try {
                for (Segment file : files) {
                    channels.add(FileChannel.open(file.path(), StandardOpenOption.READ));
                }
                // A rotation between listing and opening would have shown a file twice or not at all.
                if (files.equals(snapshot()) || attempt == SNAPSHOT_ATTEMPTS) {
                    return read(files, channels, position, includeTrailingPartial);
                }
            } catch (NoSuchFileException e) {
                if (attempt == SNAPSHOT_ATTEMPTS) {
                    throw new UncheckedIOException("the log " + live + " keeps changing", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                for (FileChannel channel : channels) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // read-only channel: nothing to lose
                    }
                }
            }
        }
    }

    /** Entries read and the position after the last complete one. */
    public record Chunk(List<LogEntry> entries, LogPosition next) {

        public Chunk {
            entries = List.copyOf(entries);
        }
    }

    private record Segment(Path path, Object key) {}

    /** The kept files, oldest first. */
    private List<Segment> snapshot() {
        List<Segment> newestFirst = new ArrayList<>();
        try {
            key(live).ifPresent(k -> newestFirst.add(new Segment(live, k)));
            for (int n = 1; ; n++) {
                Path file = rotated(n);
                Optional<Object> key = key(file);
                if (key.isEmpty()) {
                    break;
                }
                newestFirst.add(new Segment(file, key.get()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private static Optional<Object> key(Path file) throws IOException {
        try {
            return Optional.of(Files.readAttributes(file, BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static Chunk read(List<Segment> files, List<FileChannel> channels, LogPosition position,
                              boolean includeTrailingPartial) throws IOException {
        int first = 0;
        long offset = 0;
        for (int i = 0; i < files.size(); i++) {
            if (Objects.equals(files.get(i).key(), position.fileKey())) {
                first = i;
                offset = position.offset();
            }
        }
        if (files.isEmpty()) {
            return new Chunk(List.of(), position);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] ends = new long[files.size()];
        long[] starts = new long[files.size()];
        for (int i = first; i < files.size(); i++) {
            long from = i == first ? offset : 0;
            starts[i] = bytes.size();
            readRest(channels.get(i), from, bytes);
            ends[i] = bytes.size();
        }
        LogChunk chunk = LogFiles.parse(files.get(first).path(), bytes.toByteArray(), 0, includeTrailingPartial);
        long consumed = chunk.nextOffset();
        // Only the newest file can still grow (older ones are final once a newer one exists), so a position at the
        // end of an older file may move to the start of the next.
        int at = files.size() - 1;
        for (int i = first; i < files.size(); i++) {
            if (consumed < ends[i]) {
                at = i;
                break;
            }
        }
        long base = at == first ? offset : 0;
        LogPosition next = new LogPosition(files.get(at).key(), base + consumed - starts[at]);
        return new Chunk(chunk.entries(), next);
    }

    private static void readRest(FileChannel channel, long from, ByteArrayOutputStream out) throws IOException {
        long size = channel.size();
        if (from >= size) {
            return;
        }
        // Up to the size seen now; later writes are for the next read.
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - from));
        int n;
        do {
            n = channel.read(buffer, from + buffer.position());
        } while (n > 0 && buffer.hasRemaining());
        out.write(buffer.array(), 0, buffer.position());
    }
}
