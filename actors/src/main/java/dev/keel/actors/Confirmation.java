package dev.keel.actors;

import dev.keel.journal.serialization.KryoSerializable;

/** The reply to every command that changes an entity: accepted, or rejected with a typed reason. */
public sealed interface Confirmation extends KryoSerializable {

    static Confirmation accepted() {
        return new Accepted();
    }

    static Confirmation rejected(Rejection reason, String message) {
        return new Rejected(reason, message);
    }

    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    record Accepted() implements Confirmation {}

    /** {@code message} is Docker's wording, shown to the client as is. */
    record Rejected(Rejection reason, String message) implements Confirmation {}
}
