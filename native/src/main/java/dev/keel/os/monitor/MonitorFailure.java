package dev.keel.os.monitor;

/** The monitor could not start the container or the exec; the message is the runtime's own when it gave one. */
public final class MonitorFailure extends RuntimeException {

    public MonitorFailure(String message) {
        super(message);
    }
}
