package dev.keel.os.monitor;

import com.typesafe.config.Config;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's json-file rotation options: the live log is rotated once it reaches {@code maxBytes}, and at most
 * {@code maxFiles} files are kept (the live one and {@code maxFiles - 1} rotated ones).
 *
 * @param maxBytes the size that triggers a rotation; 0 or less never rotates (Docker's {@code max-size=-1})
 * @param maxFiles how many files a container's log keeps, at least 1
 */
public record LogLimits(long maxBytes, int maxFiles) {

    /** Docker's default: one file that grows without bound. */
    public static final LogLimits UNLIMITED = new LogLimits(-1, 1);

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?");

    public LogLimits {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("max-file must be at least 1, got " + maxFiles);
        }
        if (maxFiles > 1 && maxBytes <= 0) {
            // Docker's own rule: without a size limit nothing rotates, so extra files mean nothing.
            throw new IllegalArgumentException("max-file needs max-size to be set");
        }
    }

    /** Whether the log ever rotates. */
    public boolean rotates() {
        return maxBytes > 0;
    }

    /** Parses {@code keel.native.runtime.log} ({@code max-size}, {@code max-file}, both in Docker's format). */
    public static LogLimits fromConfig(Config log) {
        return of(log.getString("max-size"), log.getString("max-file"));
    }

    /**
     * From Docker's {@code --log-opt} values: {@code max-size} like {@code 256k}, {@code 10m} or {@code -1}
     * (binary units, as Docker's {@code RAMInBytes}), {@code max-file} a positive count.
     */
    public static LogLimits of(String maxSize, String maxFile) {
        int files;
        try {
            files = Integer.parseInt(maxFile.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid max-file: " + maxFile);
        }
        return new LogLimits(parseSize(maxSize), files);
    }

    static long parseSize(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("-1")) {
            return -1;
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid max-size: " + text);
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        return (long) (Double.parseDouble(m.group(1)) * (1L << shift));
    }
}
