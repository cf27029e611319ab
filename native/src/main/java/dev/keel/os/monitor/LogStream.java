package dev.keel.os.monitor;

/** Which of the container's output streams a log entry came from. With a TTY everything is {@link #STDOUT}. */
public enum LogStream {
    STDOUT,
    STDERR
}
