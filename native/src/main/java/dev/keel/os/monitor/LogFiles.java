package dev.keel.os.monitor;

import java.util.ArrayList;
import java.time.Instant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** What the log readers share: reading a file's bytes and telling which format a log file is in. */
public final class LogFiles {

    private LogFiles() {}

    /** The log's entries and the offset after them, in the format its name says ({@link #isJsonFile}). */
    static LogChunk parse(Path file, byte[] bytes, long baseOffset, boolean includeTrailingPartial) {
        return isJsonFile(file)
            ? JsonFileLog.parse(bytes, baseOffset, includeTrailingPartial)
            : K8sFileLog.parse(bytes, baseOffset, includeTrailingPartial);
    }

    /** Every line of a log in either format; see {@link JsonFileLog#readAll}. */
    public static List<LogEntry> readAll(Path file) {
        return parse(file, readFrom(file, 0), 0, true).entries();
    }

    /**
     * Docker's name for a json-file log, {@code <id>-json.log} (and its rotated {@code <id>-json.log.<n>}); any other
     * is a {@code k8s-file} log a conmon wrote.
     */
    public static boolean isJsonFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith("-json.log") || name.matches(".*-json\\.log\\.\\d+");
    }

    /** The bytes from {@code offset} to the size seen at open (later writes are for the next call); none if absent. */
    static byte[] readFrom(Path file, long offset) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset >= size) {
                return new byte[0];
            }
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - offset));
            int n;
            do {
                n = channel.read(buffer, offset + buffer.position());
            } while (n > 0 && buffer.hasRemaining());
            byte[] bytes = new byte[buffer.position()];
            buffer.flip().get(bytes);
            return bytes;
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One record of a log file: a piece of one stream's output at {@code time}, {@code endsLine} when it ends a line
     * ({@code content} then ends with its {@code \n}).
     */
    record Piece(LogStream stream, Instant time, byte[] content, boolean endsLine) {}

    /** Parses the record in {@code bytes[start, end)} (its newline left out); null for a line that is not one. */
    interface PieceParser {
        Piece parse(byte[] bytes, int start, int end);
    }

    /**
     * The lines of {@code bytes} (the file from {@code baseOffset} on), each the pieces of one stream up to one that
     * ends it. Without {@code includeTrailingPartial} a line still being written is left for the next read, which
     * starts at {@link LogChunk#nextOffset()}.
     */
    static LogChunk join(byte[] bytes, long baseOffset, boolean includeTrailingPartial, PieceParser parser) {
        List<LogEntry> entries = new ArrayList<>();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        LogStream pendingStream = null;
        Instant pendingTime = null;
        long consumed = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                break; // a record still being written
            }
            Piece piece = parser.parse(bytes, start, end);
            start = end + 1;
            if (piece == null) {
                consumed = start;
                continue;
            }
            if (pendingStream != null && pendingStream != piece.stream()) {
                // A partial line of one stream followed by the other's output: keep both, as they came.
                entries.add(new LogEntry(pendingStream, pendingTime, pending.toByteArray()));
                pending.reset();
                pendingStream = null;
            }
            if (pendingStream == null) {
                pendingStream = piece.stream();
                pendingTime = piece.time();
            }
            pending.writeBytes(piece.content());
            if (piece.endsLine()) {
                entries.add(new LogEntry(pendingStream, pendingTime, pending.toByteArray()));
                pending.reset();
                pendingStream = null;
                consumed = start;
            }
        }
        if (pendingStream != null && includeTrailingPartial) {
            entries.add(new LogEntry(pendingStream, pendingTime, pending.toByteArray()));
            consumed = start;
        }
        return new LogChunk(entries, baseOffset + consumed);
    }

    static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
