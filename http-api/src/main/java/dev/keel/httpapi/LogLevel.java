package dev.keel.httpapi;

import java.util.Locale;

/** dockerd's log levels. Logback has no FATAL, so fatal logs errors only, as in dockerd. */
public enum LogLevel {
    DEBUG("DEBUG", "DEBUG"),
    INFO("INFO", "INFO"),
    WARN("WARN", "WARNING"),
    ERROR("ERROR", "ERROR"),
    FATAL("ERROR", "ERROR");

    private final String logback;
    private final String pekko;

    LogLevel(String logback, String pekko) {
        this.logback = logback;
        this.pekko = pekko;
    }

    public String logbackLevel() {
        return logback;
    }

    public String pekkoLevel() {
        return pekko;
    }

    /** @throws IllegalArgumentException naming the accepted levels */
    public static LogLevel parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid log level \"" + value + "\": use debug, info, warn, error or fatal");
        }
    }
}
