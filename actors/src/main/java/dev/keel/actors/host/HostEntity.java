package dev.keel.actors.host;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.actors.Rejection;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One host of the cluster, keyed by its host id:
 *
 * <pre>
 *   NEW --register--> REGISTERED --up--> UP <--down/up--> DOWN
 * </pre>
 *
 * Registering again (after a restart of keeld with a new address or more memory) records the new facts and keeps the
 * status. Reporting the status a host already has is a no-op, so failure detectors may repeat themselves.
 */
public final class HostEntity
        extends DomainEntity<HostEntity.Command, HostEntity.Event, HostEntity.State> {

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    /** A command that may change the host, answered with a {@link Confirmation}. */
    public sealed interface Change extends Command {
        ActorRef<Confirmation> replyTo();
    }

    public record Register(String name, String address, HostResources resources,
                           ActorRef<Confirmation> replyTo) implements Change {}

    public record MarkUp(ActorRef<Confirmation> replyTo) implements Change {}

    public record MarkDown(String reason, ActorRef<Confirmation> replyTo) implements Change {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------------

    /** Kryo versions of every event: v1 as declared here. */
    public sealed interface Event extends KryoSerializable {
        String hostId();

        Instant at();
    }

    public record Registered(String hostId, String name, String address, HostResources resources, Instant at)
            implements Event {}

    public record Up(String hostId, Instant at) implements Event {}

    public record Down(String hostId, String reason, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    public enum Status { NEW, REGISTERED, UP, DOWN }

    /** What a host offers to containers. */
    public record HostResources(int cpus, long memoryBytes) {
        public static final HostResources NONE = new HostResources(0, 0);
    }

    /** Also the snapshot. {@code downReason} is empty unless the host is down. */
    public record State(String hostId, Status status, String name, String address, HostResources resources,
                        String downReason, Instant since) implements KryoSerializable {

        public static State empty(String hostId) {
            return new State(hostId, Status.NEW, "", "", HostResources.NONE, "", Instant.EPOCH);
        }

        public boolean isRegistered() {
            return status != Status.NEW;
        }

        public boolean isUp() {
            return status == Status.UP;
        }

        public boolean isDown() {
            return status == Status.DOWN;
        }

        State withRegistered(Registered e) {
            Status next = status == Status.NEW ? Status.REGISTERED : status;
            Instant changed = status == Status.NEW ? e.at() : since;
            return new State(hostId, next, e.name(), e.address(), e.resources(), downReason, changed);
        }

        State withUp(Instant at) {
            return new State(hostId, Status.UP, name, address, resources, "", at);
        }

        State withDown(String reason, Instant at) {
            return new State(hostId, Status.DOWN, name, address, resources, reason, at);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Host");

    private final String hostId;

    private HostEntity(String hostId, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, hostId, settings, clock);
        this.hostId = hostId;
    }

    public static Behavior<Command> create(String hostId, ActorsSettings settings, Clock clock) {
        return new HostEntity(hostId, settings, clock);
    }

    @Override
    public State emptyState() {
        return State.empty(hostId);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return anyState().orElse(unregistered()).orElse(registered()).build();
    }

    /** Registration is valid in every state: a host re-registers when keeld restarts. */
    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> anyState() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
                .onCommand(Register.class, this::onRegister);
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> unregistered() {
        return newCommandHandlerWithReplyBuilder().forState(s -> !s.isRegistered())
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, "No such host: " + hostId));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> registered() {
        return newCommandHandlerWithReplyBuilder().forState(State::isRegistered)
                .onCommand(MarkUp.class, (state, cmd) -> state.isUp()
                        ? Effect().reply(cmd.replyTo(), Confirmation.accepted())
                        : persist(new Up(hostId, now()), cmd.replyTo()))
                .onCommand(MarkDown.class, (state, cmd) -> state.isDown()
                        ? Effect().reply(cmd.replyTo(), Confirmation.accepted())
                        : persist(new Down(hostId, cmd.reason(), now()), cmd.replyTo()));
    }

    private ReplyEffect<Event, State> onRegister(Register cmd) {
        if (cmd.name().isBlank() || cmd.address().isBlank()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "a host needs a name and an address");
        }
        if (cmd.resources().cpus() < 0 || cmd.resources().memoryBytes() < 0) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "host resources cannot be negative");
        }
        return persist(new Registered(hostId, cmd.name(), cmd.address(), cmd.resources(), now()), cmd.replyTo());
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Registered.class, (s, e) -> s.withRegistered(e))
                .onEvent(Up.class, (s, e) -> s.withUp(e.at()))
                .onEvent(Down.class, (s, e) -> s.withDown(e.reason(), e.at()))
                .build();
    }
}
