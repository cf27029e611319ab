package dev.keel.httpapi.attach;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Docker's detach sequence: the keys in an attached client's input that end the attachment and leave the container
 * running ({@code ctrl-p,ctrl-q} unless the client names others with {@code detachKeys}). As in dockerd, bytes that
 * could start the sequence are held back until it is clear whether it follows; the sequence itself never reaches the
 * container.
 *
 * @param sequence the bytes, each a character or {@code ctrl-<c>} in the query
 */
public record DetachKeys(ByteString sequence) {

    public static final DetachKeys DEFAULT = parse("ctrl-p,ctrl-q");

    /**
     * Parses Docker's notation: keys separated by commas, each one character ({@code a}) or {@code ctrl-} with a
     * letter or one of {@code @[\]^_}.
     *
     * @throws IllegalArgumentException with Docker's message for anything else
     */
    public static DetachKeys parse(String keys) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String key : keys.split(",", -1)) {
            String k = key.toLowerCase(Locale.ROOT);
            if (key.length() == 1) {
                bytes.write(key.charAt(0));
            } else if (k.length() == 6 && k.startsWith("ctrl-")) {
                char c = k.charAt(5);
                if (c >= 'a' && c <= 'z') {
                    bytes.write(c - 'a' + 1);
                } else if ("@[\\]^_".indexOf(c) >= 0) {
                    bytes.write(c - '@');
                } else {
                    throw invalid(keys);
                }
            } else {
                throw invalid(keys);
            }
        }
        return new DetachKeys(ByteString.fromArray(bytes.toByteArray()));
    }

    private static IllegalArgumentException invalid(String keys) {
        return new IllegalArgumentException("Invalid detach keys (" + keys + ") provided");
    }

    /**
     * Passes the client's bytes on without the sequence; when the whole sequence has come, runs {@code onDetach} and
     * completes.
     */
    public Flow<ByteString, ByteString, NotUsed> watch(Runnable onDetach) {
        return Flow.of(ByteString.class)
                .statefulMapConcat(() -> new Scanner(onDetach)::scan)
                .takeWhile(scanned -> !scanned.detached(), true)
                .map(Scanned::bytes)
                .filter(bytes -> !bytes.isEmpty());
    }

    /** Input to pass on; {@code detached} when the sequence ended right after it. */
    private record Scanned(ByteString bytes, boolean detached) {}

    /** How much of the sequence the input has matched so far. */
    private final class Scanner {
        private final Runnable onDetach;
        private int matched;

        Scanner(Runnable onDetach) {
            this.onDetach = onDetach;
        }

        List<Scanned> scan(ByteString bytes) {
            ByteStringBuilder out = ByteString.createBuilder();
            for (int i = 0; i < bytes.size(); i++) {
                byte b = bytes.apply(i);
                if (b == sequence.apply(matched)) {
                    matched++;
                    if (matched == sequence.size()) {
                        onDetach.run();
                        return List.of(new Scanned(out.result(), true));
                    }
                } else {
                    out.append(sequence.take(matched));
                    matched = 0;
                    if (b == sequence.apply(0)) {
                        matched = 1;
                    } else {
                        out.putByte(b);
                    }
                }
            }
            return List.of(new Scanned(out.result(), false));
        }
    }
}
