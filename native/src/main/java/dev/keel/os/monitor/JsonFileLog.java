package dev.keel.os.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads keel-monitor's log, Docker's {@code json-file} format: one object per line,
 * {@code {"log":"<output>","stream":"stdout|stderr","time":"<RFC 3339, UTC>"}}. A record whose {@code log} ends in
 * {@code \n} ends a line; one without (a read of the container's output that ended mid-line) is a piece of a longer
 * line, joined with the stream's next records up to one that ends it.
 */
public final class JsonFileLog {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonFileLog() {}

    /** Every line of the file; a trailing partial line (output that ended without a newline) is included. */
    public static List<LogEntry> readAll(Path file) {
        return parse(LogFiles.readFrom(file, 0), 0, true).entries();
    }

    /**
     * The complete lines from {@code offset} on, for following a live log. A line still being written (only
     * partial records so far) is left for the next call, which starts at {@link LogChunk#nextOffset()}.
     */
    public static LogChunk readFrom(Path file, long offset) {
        return parse(LogFiles.readFrom(file, offset), offset, false);
    }

    static LogChunk parse(byte[] bytes, long baseOffset, boolean includeTrailingPartial) {
        List<LogEntry> entries = new ArrayList<>();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        LogStream pendingStream = null;
        Instant pendingTime = null;
        long consumed = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = LogFiles.indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                break; // a record still being written
            }
            Record record = Record.parse(bytes, start, end);
            start = end + 1;
            if (record == null) {
                consumed = start;
                continue;
            }
            if (pendingStream != null && pendingStream != record.stream()) {
                // A partial line of one stream followed by the other's output: keep both, as they came.
                entries.add(new LogEntry(pendingStream, pendingTime, pending.toByteArray()));
                pending.reset();
                pendingStream = null;
            }
            if (pendingStream == null) {
                pendingStream = record.stream();
                pendingTime = record.time();
            }
            pending.writeBytes(record.content());
            if (record.endsLine()) {
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

    private record Record(Instant time, LogStream stream, byte[] content) {

        boolean endsLine() {
            return content.length > 0 && content[content.length - 1] == '\n';
        }

        /** Parses {@code bytes[start, end)}; null for a line that is not a record. */
        static Record parse(byte[] bytes, int start, int end) {
            String log = null;
            String stream = null;
            String time = null;
            try (JsonParser parser = JSON.createParser(bytes, start, end - start)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value == JsonToken.VALUE_STRING) {
                        switch (field) {
                            case "log" -> log = parser.getText();
                            case "stream" -> stream = parser.getText();
                            case "time" -> time = parser.getText();
                            default -> { }
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
            } catch (IOException e) {
                return null;
            }
            LogStream logStream = stream == null ? null : switch (stream) {
                case "stdout" -> LogStream.STDOUT;
                case "stderr" -> LogStream.STDERR;
                default -> null;
            };
            if (log == null || logStream == null || time == null) {
                return null;
            }
            try {
                return new Record(Instant.parse(time), logStream, log.getBytes(StandardCharsets.UTF_8));
            } catch (DateTimeException e) {
                return null;
            }
        }
    }
}
