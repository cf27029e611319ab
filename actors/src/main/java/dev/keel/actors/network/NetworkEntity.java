package dev.keel.actors.network;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.actors.Rejection;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One network, keyed by its id:
 *
 * <pre>
 *   NEW --create--> ACTIVE (attach / detach containers) --remove, once no endpoint is left--> REMOVED
 * </pre>
 *
 * Each attached container has one endpoint (its id and address, chosen by the driver and IPAM). The network's name is
 * reserved and released by the {@link dev.keel.actors.Domain} flow.
 */
public final class NetworkEntity
        extends DomainEntity<NetworkEntity.Command, NetworkEntity.Event, NetworkEntity.State> {

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    /** A command that may change the network, answered with a {@link Confirmation}. */
    public sealed interface Change extends Command {
        ActorRef<Confirmation> replyTo();
    }

    public record Create(NetworkSpec spec, ActorRef<Confirmation> replyTo) implements Change {}

    /** Records an endpoint the driver has set up (Kryo v2; v1 is {@link NetworkShapesV1.Attach}). */
    public record Attach(String containerId, Endpoint endpoint, ActorRef<Confirmation> replyTo) implements Change {}

    public record Detach(String containerId, ActorRef<Confirmation> replyTo) implements Change {}

    public record Remove(ActorRef<Confirmation> replyTo) implements Change {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------------

    /**
     * Kryo versions of every event: v1 as declared here, except {@link Created} and {@link Attached}, v2 since pools
     * have auxiliary addresses and endpoints their MAC, IPv6 address and published ports ({@link NetworkShapesV1}).
     */
    public sealed interface Event extends KryoSerializable {
        String networkId();

        Instant at();
    }

    public record Created(String networkId, NetworkSpec spec, Instant at) implements Event {}

    public record Attached(String networkId, String containerId, Endpoint endpoint, Instant at) implements Event {}

    public record Detached(String networkId, String containerId, Instant at) implements Event {}

    public record Removed(String networkId, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    public enum Status { NEW, ACTIVE, REMOVED }

    /**
     * A running container's attachment; addresses are in CIDR notation ("172.20.0.2/16") or empty.
     *
     * @param ports the ports published through this endpoint, as bound
     */
    public record Endpoint(String endpointId, String ipv4Address, String ipv6Address, String macAddress,
                           List<PublishedPort> ports) {
        public Endpoint {
            ports = List.copyOf(ports);
        }
    }

    /** Also the snapshot (Kryo v2, v1 is {@link NetworkShapesV1.State}). {@code endpoints} is keyed by container id. */
    public record State(String networkId, Status status, NetworkSpec spec, Map<String, Endpoint> endpoints,
                        Instant createdAt) implements KryoSerializable {

        public State {
            endpoints = Map.copyOf(endpoints);
        }

        public static State empty(String networkId) {
            return new State(networkId, Status.NEW, NetworkSpec.EMPTY, Map.of(), Instant.EPOCH);
        }

        public boolean isActive() {
            return status == Status.ACTIVE;
        }

        public boolean isAttached(String containerId) {
            return endpoints.containsKey(containerId);
        }

        public boolean hasActiveEndpoints() {
            return !endpoints.isEmpty();
        }

        public boolean isAddressInUse(String ipv4Address) {
            return !ipv4Address.isEmpty()
                    && endpoints.values().stream().anyMatch(e -> e.ipv4Address().equals(ipv4Address));
        }

        State withCreated(Created e) {
            return new State(networkId, Status.ACTIVE, e.spec(), Map.of(), e.at());
        }

        State withEndpoint(String containerId, Endpoint endpoint) {
            Map<String, Endpoint> next = new HashMap<>(endpoints);
            next.put(containerId, endpoint);
            return new State(networkId, status, spec, next, createdAt);
        }

        State withoutEndpoint(String containerId) {
            Map<String, Endpoint> next = new HashMap<>(endpoints);
            next.remove(containerId);
            return new State(networkId, status, spec, next, createdAt);
        }

        State withRemoved() {
            return new State(networkId, Status.REMOVED, spec, Map.of(), createdAt);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Network");

    private final String networkId;

    private NetworkEntity(String networkId, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, networkId, settings, clock);
        this.networkId = networkId;
    }

    public static Behavior<Command> create(String networkId, ActorsSettings settings, Clock clock) {
        return new NetworkEntity(networkId, settings, clock);
    }

    @Override
    public State emptyState() {
        return State.empty(networkId);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return queries().orElse(notCreated()).orElse(active()).orElse(removed()).build();
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> queries() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> notCreated() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.NEW)
                .onCommand(Create.class, this::onCreate)
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchNetwork()));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> active() {
        return newCommandHandlerWithReplyBuilder().forState(State::isActive)
                .onCommand(Create.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "network with id " + networkId + " already exists"))
                .onCommand(Attach.class, this::onAttach)
                .onCommand(Detach.class, this::onDetach)
                .onCommand(Remove.class, this::onRemove);
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> removed() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.REMOVED)
                .onCommand(Create.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "network " + networkId + " was removed; a new network needs a new id"))
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchNetwork()));
    }

    private ReplyEffect<Event, State> onCreate(Create cmd) {
        if (cmd.spec().name().isBlank()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "network name must not be empty");
        }
        if (cmd.spec().driver().isBlank()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "network driver must not be empty");
        }
        return persist(new Created(networkId, cmd.spec(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onAttach(State state, Attach cmd) {
        if (state.isAttached(cmd.containerId())) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "endpoint with name " + cmd.containerId()
                    + " already exists in network " + state.spec().name());
        }
        if (state.isAddressInUse(cmd.endpoint().ipv4Address())) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "Address already in use: " + cmd.endpoint().ipv4Address());
        }
        return persist(new Attached(networkId, cmd.containerId(), cmd.endpoint(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onDetach(State state, Detach cmd) {
        if (!state.isAttached(cmd.containerId())) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "container " + cmd.containerId() + " is not connected to network "
                    + state.spec().name());
        }
        return persist(new Detached(networkId, cmd.containerId(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onRemove(State state, Remove cmd) {
        if (state.hasActiveEndpoints()) {
            return reject(cmd.replyTo(), Rejection.FORBIDDEN, "error while removing network: network " + state.spec().name()
                    + " id " + networkId + " has active endpoints");
        }
        return persist(new Removed(networkId, now()), cmd.replyTo());
    }

    private String noSuchNetwork() {
        return "No such network: " + networkId;
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Created.class, (s, e) -> s.withCreated(e))
                .onEvent(Attached.class, (s, e) -> s.withEndpoint(e.containerId(), e.endpoint()))
                .onEvent(Detached.class, (s, e) -> s.withoutEndpoint(e.containerId()))
                .onEvent(Removed.class, (s, e) -> s.withRemoved())
                .build();
    }
}
