package dev.keel.os.image;

import java.io.IOException;

/** A reference or id that names no image in the store. */
public final class NoSuchImageException extends IOException {
    public NoSuchImageException(String reference) {
        super("No such image: " + reference);
    }
}
