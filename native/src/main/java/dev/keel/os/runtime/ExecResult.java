package dev.keel.os.runtime;

import dev.keel.os.monitor.LogEntry;
import dev.keel.os.monitor.LogStream;
import java.util.List;

/** How an exec ended: its exit code and everything it wrote, line by line. */
public record ExecResult(int exitCode, List<LogEntry> output) {

    public ExecResult {
        output = List.copyOf(output);
    }

    /** All output of one stream, decoded as UTF-8. */
    public String text(LogStream stream) {
        StringBuilder text = new StringBuilder();
        output.stream().filter(e -> e.stream() == stream).forEach(e -> text.append(e.text()));
        return text.toString();
    }
}
