package dev.keel.netplane.spi;

/** Why a driver or IPAM call failed; the daemon turns the kind into the API's status. */
public final class NetworkFailure extends RuntimeException {

    public enum Kind {
        /** The request itself is wrong: a bad subnet, an address outside its pool. */
        INVALID_ARGUMENT,
        /** Something is taken: an address, a host port, an overlapping pool, a bridge name. */
        CONFLICT,
        /** The network, endpoint, pool or address does not exist. */
        NOT_FOUND,
        /** The driver could not be reached or did not answer in time (a remote plugin). */
        UNAVAILABLE,
        /** The driver tried and failed. */
        FAILED
    }

    private final Kind kind;

    public NetworkFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public NetworkFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
