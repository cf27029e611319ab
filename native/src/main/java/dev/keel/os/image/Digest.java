package dev.keel.os.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A sha256 content digest, written {@code sha256:<64 hex>}; image ids, diff ids and chain ids are digests. */
public record Digest(String hex) implements Comparable<Digest> {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");
    public static final String ALGORITHM = "sha256";

    public Digest {
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid sha256 digest: " + hex);
        }
    }

    /** Accepts {@code sha256:<hex>}; other algorithms are refused. */
    public static Digest parse(String text) {
        if (!text.startsWith(ALGORITHM + ":")) {
            throw new IllegalArgumentException("unsupported digest (only sha256): " + text);
        }
        return new Digest(text.substring(ALGORITHM.length() + 1));
    }

    public static Digest of(byte[] content) {
        return new Digest(HexFormat.of().formatHex(newSha256().digest(content)));
    }

    static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public int compareTo(Digest other) {
        return hex.compareTo(other.hex);
    }

    @Override
    public String toString() {
        return ALGORITHM + ":" + hex;
    }
}
