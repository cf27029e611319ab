package dev.keel.os.archive;

import java.io.IOException;

/** An archive entry or a path would reach outside the directory it must stay in; nothing was written for it. */
public final class ArchiveEscapeException extends IOException {
    public ArchiveEscapeException(String message) {
        super(message);
    }
}
