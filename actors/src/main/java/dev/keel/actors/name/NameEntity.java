package dev.keel.actors.name;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;

/**
 * One name in one namespace, keyed "kind:name" (e.g. "container:/web", "network:front"), held by at most one owner:
 *
 * <pre>
 *   FREE --reserve(owner)--> HELD(owner) --release(owner)--> FREE
 * </pre>
 *
 * Being a single writer, it decides races between concurrent creates: whoever reserves first owns the name. Reserving
 * again by the owner, and releasing by anyone else, are no-ops, so a flow can retry or compensate safely.
 */
public final class NameEntity
        extends DomainEntity<NameEntity.Command, NameEntity.Event, NameEntity.State> {

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    public record Reserve(String ownerId, ActorRef<Reservation> replyTo) implements Command {}

    public record Release(String ownerId, ActorRef<Confirmation> replyTo) implements Command {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    /** The reply to {@link Reserve}. */
    public sealed interface Reservation extends KryoSerializable {
        default boolean isGranted() {
            return this instanceof Granted;
        }
    }

    /** {@code alreadyHeld}: the requester owned the name before, so a failing flow must not release it. */
    public record Granted(boolean alreadyHeld) implements Reservation {}

    /** The name belongs to {@code ownerId}. */
    public record Taken(String ownerId) implements Reservation {}

    // --- events ---------------------------------------------------------------------------------------------------

    /** Kryo versions of every event: v1 as declared here. */
    public sealed interface Event extends KryoSerializable {
        String name();

        Instant at();
    }

    public record Reserved(String name, String ownerId, Instant at) implements Event {}

    public record Released(String name, String ownerId, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    /** Also the snapshot. {@code ownerId} is empty while the name is free. */
    public record State(String name, String ownerId) implements KryoSerializable {

        public boolean isFree() {
            return ownerId.isEmpty();
        }

        public boolean isHeldBy(String owner) {
            return ownerId.equals(owner);
        }

        State withOwner(String owner) {
            return new State(name, owner);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Name");

    private final String name;

    private NameEntity(String name, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, name, settings, clock);
        this.name = name;
    }

    public static Behavior<Command> create(String name, ActorsSettings settings, Clock clock) {
        return new NameEntity(name, settings, clock);
    }

    /** The entity id of {@code name} in namespace {@code kind}. */
    public static String key(String kind, String name) {
        return kind + ":" + name;
    }

    @Override
    public State emptyState() {
        return new State(name, "");
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
                .onCommand(Reserve.class, (state, cmd) -> {
                    if (state.isFree()) {
                        return Effect().persist(new Reserved(name, cmd.ownerId(), now()))
                                .thenReply(cmd.replyTo(), s -> new Granted(false));
                    }
                    return Effect().reply(cmd.replyTo(), state.isHeldBy(cmd.ownerId())
                            ? new Granted(true)
                            : new Taken(state.ownerId()));
                })
                .onCommand(Release.class, (state, cmd) -> state.isHeldBy(cmd.ownerId())
                        ? Effect().persist(new Released(name, cmd.ownerId(), now()))
                                .thenReply(cmd.replyTo(), s -> Confirmation.accepted())
                        : Effect().reply(cmd.replyTo(), Confirmation.accepted()))
                .build();
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Reserved.class, (s, e) -> s.withOwner(e.ownerId()))
                .onEvent(Released.class, (s, e) -> s.withOwner(""))
                .build();
    }
}
