package dev.keel.os.monitor;

import java.util.List;

/** Entries read from a log file and the byte offset to read from next time. */
public record LogChunk(List<LogEntry> entries, long nextOffset) {

    public LogChunk {
        entries = List.copyOf(entries);
    }
}
