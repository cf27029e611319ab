package dev.keel.actors.volume;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.actors.Rejection;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One volume, keyed by its name (Docker's volume names are their ids, so uniqueness comes with the key):
 *
 * <pre>
 *   NEW --create--> ACTIVE (attach / detach containers) --remove, once unused--> REMOVED --create--> ACTIVE
 * </pre>
 *
 * As in Docker, creating an existing volume with the same driver is a no-op, a removed name can be created again, and
 * an in-use volume is never removed, even with force (force only silences "no such volume").
 */
public final class VolumeEntity
        extends DomainEntity<VolumeEntity.Command, VolumeEntity.Event, VolumeEntity.State> {

    /** Docker's volume name rule for the local driver. */
    public static final Pattern VALID_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    /** A command that may change the volume, answered with a {@link Confirmation}. */
    public sealed interface Change extends Command {
        ActorRef<Confirmation> replyTo();
    }

    public record Create(String driver, Map<String, String> options, Map<String, String> labels,
                         ActorRef<Confirmation> replyTo) implements Change {
        public Create {
            options = Map.copyOf(options);
            labels = Map.copyOf(labels);
        }
    }

    /** A container mounts the volume; mounting it twice (two paths) counts once. */
    public record Attach(String containerId, ActorRef<Confirmation> replyTo) implements Change {}

    public record Detach(String containerId, ActorRef<Confirmation> replyTo) implements Change {}

    public record Remove(boolean force, ActorRef<Confirmation> replyTo) implements Change {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------------

    /** Kryo versions of every event: v1 as declared here. */
    public sealed interface Event extends KryoSerializable {
        String volumeName();

        Instant at();
    }

    public record Created(String volumeName, String driver, Map<String, String> options, Map<String, String> labels,
                          Instant at) implements Event {
        public Created {
            options = Map.copyOf(options);
            labels = Map.copyOf(labels);
        }
    }

    public record Attached(String volumeName, String containerId, Instant at) implements Event {}

    public record Detached(String volumeName, String containerId, Instant at) implements Event {}

    public record Removed(String volumeName, boolean force, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    public enum Status { NEW, ACTIVE, REMOVED }

    /** Also the snapshot. {@code usedBy} lists container ids in the order they attached. */
    public record State(String volumeName, Status status, String driver, Map<String, String> options,
                        Map<String, String> labels, List<String> usedBy, Instant createdAt) implements KryoSerializable {

        public State {
            options = Map.copyOf(options);
            labels = Map.copyOf(labels);
            usedBy = List.copyOf(usedBy);
        }

        public static State empty(String volumeName) {
            return new State(volumeName, Status.NEW, "", Map.of(), Map.of(), List.of(), Instant.EPOCH);
        }

        public boolean isActive() {
            return status == Status.ACTIVE;
        }

        public boolean isInUse() {
            return !usedBy.isEmpty();
        }

        public boolean isUsedBy(String containerId) {
            return usedBy.contains(containerId);
        }

        State withCreated(Created e) {
            return new State(volumeName, Status.ACTIVE, e.driver(), e.options(), e.labels(), List.of(), e.at());
        }

        State withUser(String containerId) {
            List<String> next = new ArrayList<>(usedBy);
            next.add(containerId);
            return new State(volumeName, status, driver, options, labels, next, createdAt);
        }

        State withoutUser(String containerId) {
            List<String> next = new ArrayList<>(usedBy);
            next.remove(containerId);
            return new State(volumeName, status, driver, options, labels, next, createdAt);
        }

        State withRemoved() {
            return new State(volumeName, Status.REMOVED, driver, options, labels, List.of(), createdAt);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Volume");

    private final String volumeName;

    private VolumeEntity(String volumeName, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, volumeName, settings, clock);
        this.volumeName = volumeName;
    }

    public static Behavior<Command> create(String volumeName, ActorsSettings settings, Clock clock) {
        return new VolumeEntity(volumeName, settings, clock);
    }

    @Override
    public State emptyState() {
        return State.empty(volumeName);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return queries().orElse(absent()).orElse(active()).build();
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> queries() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state));
    }

    /** NEW or REMOVED: the name is free. */
    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> absent() {
        return newCommandHandlerWithReplyBuilder().forState(s -> !s.isActive())
                .onCommand(Create.class, this::onCreate)
                .onCommand(Remove.class, cmd -> cmd.force()
                        ? Effect().reply(cmd.replyTo(), Confirmation.accepted())
                        : reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchVolume()))
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchVolume()));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> active() {
        return newCommandHandlerWithReplyBuilder().forState(State::isActive)
                .onCommand(Create.class, this::onCreateExisting)
                .onCommand(Attach.class, (state, cmd) -> state.isUsedBy(cmd.containerId())
                        ? Effect().reply(cmd.replyTo(), Confirmation.accepted())
                        : persist(new Attached(volumeName, cmd.containerId(), now()), cmd.replyTo()))
                .onCommand(Detach.class, (state, cmd) -> state.isUsedBy(cmd.containerId())
                        ? persist(new Detached(volumeName, cmd.containerId(), now()), cmd.replyTo())
                        : Effect().reply(cmd.replyTo(), Confirmation.accepted()))
                .onCommand(Remove.class, this::onRemove);
    }

    private ReplyEffect<Event, State> onCreate(Create cmd) {
        if (!VALID_NAME.matcher(volumeName).matches()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "create " + volumeName
                    + ": includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed."
                    + " If you intended to pass a host directory, use absolute path");
        }
        if (cmd.driver().isBlank()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "create " + volumeName + ": volume driver must not be empty");
        }
        return persist(new Created(volumeName, cmd.driver(), cmd.options(), cmd.labels(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onCreateExisting(State state, Create cmd) {
        if (!state.driver().equals(cmd.driver())) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "create " + volumeName + ": volume name must be unique"
                    + " (it exists with driver " + state.driver() + ")");
        }
        return Effect().reply(cmd.replyTo(), Confirmation.accepted());
    }

    private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
        if (state.isInUse()) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "remove " + volumeName + ": volume is in use - "
                    + "[" + String.join(", ", state.usedBy()) + "]");
        }
        return persist(new Removed(volumeName, cmd.force(), now()), cmd.replyTo());
    }

    private String noSuchVolume() {
        return "get " + volumeName + ": no such volume";
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Created.class, (s, e) -> s.withCreated(e))
                .onEvent(Attached.class, (s, e) -> s.withUser(e.containerId()))
                .onEvent(Detached.class, (s, e) -> s.withoutUser(e.containerId()))
                .onEvent(Removed.class, (s, e) -> s.withRemoved())
                .build();
    }
}
