package dev.keel.os.overlay;

/**
 * One line of {@code docker diff}.
 *
 * @param path absolute path inside the container
 */
public record Change(Kind kind, String path) {
    /** Docker's change kinds; {@link #code} is the number the Engine API sends. */
    public enum Kind {
        MODIFIED(0, 'C'), ADDED(1, 'A'), DELETED(2, 'D');

        private final int code;
        private final char letter;

        Kind(int code, char letter) {
            this.code = code;
            this.letter = letter;
        }

        public int code() {
            return code;
        }

        public char letter() {
            return letter;
        }
    }

    @Override
    public String toString() {
        return kind.letter() + " " + path;
    }
}
