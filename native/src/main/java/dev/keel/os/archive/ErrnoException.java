package dev.keel.os.archive;

import java.io.IOException;

/** A system call failed; carries the errno so callers can react to specific reasons. */
public final class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String call, String path, int errno, String reason) {
        super(call + " " + path + ": " + reason);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
