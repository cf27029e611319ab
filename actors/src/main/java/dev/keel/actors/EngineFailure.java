package dev.keel.actors;

/**
 * Why a request to the {@link Engine} failed, as clients see it: a typed {@link Rejection} and Docker's wording.
 * Futures of {@link dev.keel.actors.container.Containers}, {@link dev.keel.actors.image.Images} and
 * {@link dev.keel.actors.history.History} fail with it; any other exception is a fault of the daemon.
 */
public final class EngineFailure extends RuntimeException {

    private final Rejection reason;

    public EngineFailure(Rejection reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public EngineFailure(Rejection reason, String message, Throwable cause) {
        super(message, cause, false, true);
        this.reason = reason;
    }

    public static EngineFailure of(Confirmation.Rejected rejected) {
        return new EngineFailure(rejected.reason(), rejected.message());
    }

    public Rejection reason() {
        return reason;
    }
}
