package dev.keel.os.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
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
        return LogFiles.join(bytes, baseOffset, includeTrailingPartial, JsonFileLog::piece);
    }

    /** Parses the record in {@code bytes[start, end)}; null for a line that is not one. */
    private static LogFiles.Piece piece(byte[] bytes, int start, int end) {
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
            return new LogFiles.Piece(logStream, Instant.parse(time), log.getBytes(StandardCharsets.UTF_8),
                log.endsWith("\n"));
        } catch (DateTimeException e) {
            return null;
        }
    }
}
