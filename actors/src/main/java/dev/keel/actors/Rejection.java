package dev.keel.actors;

/**
 * Why an entity refused a command, as clients see it.
 *
 * <p>Names may change but codes never do, and a code is never reused for another reason. A refusal
 * that never leaves the domain is not listed here. Only http-api maps a reason to a status.
 */
public enum Rejection {
    /** The object does not exist or was removed ("No such container: web"). */
    NOT_FOUND(1),
    /** The object exists but its state forbids the command (a running container cannot be removed). */
    CONFLICT(2),
    /** The command itself is malformed (an invalid name, a negative retry count). */
    INVALID_ARGUMENT(3),
    /** The object is already in the requested state (starting a started container). */
    NOT_MODIFIED(4),
    /** The host could not carry the command out; the message is the runtime's or the kernel's own. */
    HOST_FAILURE(5),
    /** The command is valid but not allowed for this object (connecting a container to a network twice). */
    FORBIDDEN(6);

    private final int code;

    Rejection(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
