package dev.keel.os.image;

import java.io.IOException;

/** The request conflicts with the image's current state (e.g. several tags and no force). */
public final class ImageConflictException extends IOException {
    public ImageConflictException(String message) {
        super(message);
    }
}
