package dev.keel.os.monitor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * Reads conmon's {@code k8s-file} log, kept for the {@code ctr.log} of containers created under conmon before
 * keel-monitor (which writes {@link JsonFileLog json-file}) replaced it: one record per line, {@code <RFC3339Nano time>
 * <stdout|stderr> <F|P> <content>}. {@code F} ends a line; {@code P} is a piece of a longer line (one pipe read) whose
 * {@code \n} conmon added, so consecutive {@code P} records of a stream are joined with the next {@code F}.
 */
public final class K8sFileLog {

    private K8sFileLog() {}

    /** Every line of the file; a trailing partial line (output that ended without a newline) is included. */
    public static List<LogEntry> readAll(Path file) {
        return parse(LogFiles.readFrom(file, 0), 0, true).entries();
    }

    /**
     * The complete lines from {@code offset} on, for following a live log. A line still being written (only
     * {@code P} records so far) is left for the next call, which starts at {@link LogChunk#nextOffset()}.
     */
    public static LogChunk readFrom(Path file, long offset) {
        return parse(LogFiles.readFrom(file, offset), offset, false);
    }

    static LogChunk parse(byte[] bytes, long baseOffset, boolean includeTrailingPartial) {
        return LogFiles.join(bytes, baseOffset, includeTrailingPartial, K8sFileLog::piece);
    }

    /** Parses the record in {@code bytes[start, end)}; null for a line that is not one. */
    private static LogFiles.Piece piece(byte[] bytes, int start, int end) {
        int s1 = LogFiles.indexOf(bytes, (byte) ' ', start);
        if (s1 < 0 || s1 >= end) {
            return null;
        }
        int s2 = LogFiles.indexOf(bytes, (byte) ' ', s1 + 1);
        if (s2 < 0 || s2 >= end) {
            return null;
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(new String(bytes, start, s1 - start, StandardCharsets.US_ASCII)).toInstant();
        } catch (java.time.DateTimeException e) {
            return null;
        }
        String streamName = new String(bytes, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII);
        LogStream stream = switch (streamName) {
            case "stdout" -> LogStream.STDOUT;
            case "stderr" -> LogStream.STDERR;
            default -> null;
        };
        if (stream == null || s2 + 1 >= end) {
            return null;
        }
        byte tag = bytes[s2 + 1];
        if (tag != 'F' && tag != 'P') {
            return null;
        }
        // "F" alone (an empty line) has no separating space before the empty content.
        int contentStart = Math.min(s2 + 3, end);
        boolean full = tag == 'F';
        // bytes[end] is the record's own newline: an F record's line ends with it.
        return new LogFiles.Piece(stream, time, Arrays.copyOfRange(bytes, contentStart, full ? end + 1 : end), full);
    }
}
