package dev.keel.os.image;

import java.io.IOException;

/** Input that does not describe a valid image (bad JSON, digests that do not match, missing layers). */
public class InvalidImageException extends IOException {
    public InvalidImageException(String message) {
        super(message);
    }
}
