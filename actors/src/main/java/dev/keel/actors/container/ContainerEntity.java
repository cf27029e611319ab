package dev.keel.actors.container;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.DomainEntity;
import dev.keel.actors.Rejection;
import dev.keel.journal.serialization.KryoSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One container, keyed by its 64-hex id, with Docker's lifecycle:
 *
 * <pre>
 *   NEW --create--> CREATED --start--> RUNNING <--pause/unpause--> PAUSED
 *                                       |   ^                            |
 *                            stop, exit |   | start, restart             | stop, exit
 *                                       v   |                            |
 *                                      EXITED <--------------------------+
 *   any of them --remove--> REMOVED   (RUNNING and PAUSED only with force)
 * </pre>
 *
 * The entity records and validates; the runtime reports what really happened (the pid of a start, an exit code) in
 * the commands. A removed container stays removed: its id answers "No such container" for ever.
 * Its name is reserved and released by the {@link dev.keel.actors.Domain} flow, not here.
 */
public final class ContainerEntity
        extends DomainEntity<ContainerEntity.Command, ContainerEntity.Event, ContainerEntity.State> {

    /** Docker's validContainerNamePattern, the leading slash being optional. */
    public static final Pattern VALID_NAME = Pattern.compile("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");

    // --- commands -------------------------------------------------------------------------------------------------

    public sealed interface Command extends KryoSerializable {}

    /** A command that may change the container, answered with a {@link Confirmation}. */
    public sealed interface Change extends Command {
        ActorRef<Confirmation> replyTo();
    }

    /** {@code name} is canonical ("/web"), already reserved for this container. */
    public record Create(String name, String imageId, String imageRef, ContainerConfig config,
                         ActorRef<Confirmation> replyTo) implements Change {}

    /** The runtime started the container's process {@code pid}. */
    public record Start(long pid, ActorRef<Confirmation> replyTo) implements Change {}

    public record Pause(ActorRef<Confirmation> replyTo) implements Change {}

    public record Unpause(ActorRef<Confirmation> replyTo) implements Change {}

    /** A user stop ended the process with {@code exitCode}. */
    public record Stop(int exitCode, ActorRef<Confirmation> replyTo) implements Change {}

    /** The monitor saw the process exit on its own. */
    public record ReportExit(int exitCode, boolean oomKilled, ActorRef<Confirmation> replyTo) implements Change {}

    /** The container was (re)started as process {@code pid}, whatever state it was in. */
    public record Restart(long pid, ActorRef<Confirmation> replyTo) implements Change {}

    /** {@code fromName} guards against a concurrent rename: the rename applies only if it is still the name. */
    public record Rename(String fromName, String toName, ActorRef<Confirmation> replyTo) implements Change {}

    public record Update(ContainerResources resources, RestartPolicy restartPolicy,
                         ActorRef<Confirmation> replyTo) implements Change {}

    public record Remove(boolean force, ActorRef<Confirmation> replyTo) implements Change {}

    /** A user asked for {@code signal} to be sent to the running process; recorded before it is sent. */
    public record Signal(String signal, ActorRef<Confirmation> replyTo) implements Change {}

    /** A user's restart brought the container up again (after its stop, if it was running). */
    public record ConfirmUserRestart(ActorRef<Confirmation> replyTo) implements Change {}

    /** Connects the container to a network ({@code docker network connect}); running, the endpoint is already up. */
    public record ConnectNetwork(NetworkAttachment attachment, ActorRef<Confirmation> replyTo) implements Change {}

    public record DisconnectNetwork(String networkId, ActorRef<Confirmation> replyTo) implements Change {}

    /**
     * Records that exec session {@code execId} was made to run {@code command} in the container ({@code docker exec}),
     * after the checks that it may. The session itself lives in the daemon only; its facts are history, for
     * {@code docker events} and audit.
     */
    public record CreateExec(String execId, List<String> command, ActorRef<Confirmation> replyTo) implements Change {}

    /** Records that the session's process runs; {@code command} again, so that the fact reads alone. */
    public record StartExec(String execId, List<String> command, ActorRef<Confirmation> replyTo) implements Change {}

    /** Records the session's end; also after the container itself stopped. */
    public record ReportExecExit(String execId, int exitCode, ActorRef<Confirmation> replyTo) implements Change {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------------

    /**
     * Kryo versions of every event: v1 as declared here, except {@link Created} (v3: its {@link ContainerConfig} grew;
     * v1 is {@link ContainerShapesV1.Created}, v2 {@link ContainerShapesV2.Created}).
     */
    public sealed interface Event extends KryoSerializable {
        String containerId();

        Instant at();
    }

    public record Created(String containerId, String name, String imageId, String imageRef, ContainerConfig config,
                          Instant at) implements Event {}

    public record Started(String containerId, long pid, Instant at) implements Event {}

    public record Paused(String containerId, Instant at) implements Event {}

    public record Unpaused(String containerId, Instant at) implements Event {}

    public record Stopped(String containerId, int exitCode, Instant at) implements Event {}

    public record Died(String containerId, int exitCode, boolean oomKilled, Instant at) implements Event {}

    public record Restarted(String containerId, long pid, Instant at) implements Event {}

    public record Renamed(String containerId, String oldName, String newName, Instant at) implements Event {}

    public record Updated(String containerId, ContainerResources resources, RestartPolicy restartPolicy,
                          Instant at) implements Event {}

    public record Removed(String containerId, boolean force, Instant at) implements Event {}

    /** A user's kill: {@code signal} as asked ("KILL", "SIGHUP", "9"), before the runtime sends it. */
    public record Signalled(String containerId, String signal, Instant at) implements Event {}

    /** A user's restart completed; its stop and start are recorded on their own before it. */
    public record RestartedByUser(String containerId, Instant at) implements Event {}

    public record NetworkConnected(String containerId, NetworkAttachment attachment, Instant at) implements Event {}

    public record NetworkDisconnected(String containerId, String networkId, Instant at) implements Event {}

    public record ExecCreated(String containerId, String execId, List<String> command, Instant at) implements Event {}

    public record ExecStarted(String containerId, String execId, List<String> command, Instant at) implements Event {}

    public record ExecDied(String containerId, String execId, int exitCode, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------------

    public enum Status { NEW, CREATED, RUNNING, PAUSED, EXITED, REMOVED }

    /**
     * Also the snapshot (Kryo v3; v1 is {@link ContainerShapesV1.State}, v2 {@link ContainerShapesV2.State}). Times
     * not yet reached are {@link Instant#EPOCH}, as Docker's "0001-01-01" zero time.
     */
    public record State(String containerId, Status status, String name, String imageId, String imageRef,
                        ContainerConfig config, long pid, int exitCode, boolean oomKilled, int restartCount,
                        Instant createdAt, Instant startedAt, Instant finishedAt) implements KryoSerializable {

        public static State empty(String containerId) {
            return new State(containerId, Status.NEW, "", "", "", ContainerConfig.EMPTY, 0, 0, false, 0,
                    Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
        }

        public boolean exists() {
            return status != Status.NEW && status != Status.REMOVED;
        }

        public boolean isRunning() {
            return status == Status.RUNNING;
        }

        public boolean isPaused() {
            return status == Status.PAUSED;
        }

        /** The container's hostname: the one asked for, else Docker's default, the first 12 characters of the id. */
        public String hostname() {
            return config.hostname().isEmpty() ? containerId.substring(0, Math.min(12, containerId.length()))
                    : config.hostname();
        }

        State withCreated(Created e) {
            return new State(containerId, Status.CREATED, e.name(), e.imageId(), e.imageRef(), e.config(), 0, 0, false,
                    0, e.at(), Instant.EPOCH, Instant.EPOCH);
        }

        State withStarted(long newPid, Instant at) {
            return new State(containerId, Status.RUNNING, name, imageId, imageRef, config, newPid, 0, false,
                    restartCount, createdAt, at, Instant.EPOCH);
        }

        State withRestarted(long newPid, Instant at) {
            return new State(containerId, Status.RUNNING, name, imageId, imageRef, config, newPid, 0, false,
                    restartCount + 1, createdAt, at, Instant.EPOCH);
        }

        State withStatus(Status newStatus) {
            return new State(containerId, newStatus, name, imageId, imageRef, config, pid, exitCode, oomKilled,
                    restartCount, createdAt, startedAt, finishedAt);
        }

        State withExited(int code, boolean oom, Instant at) {
            return new State(containerId, Status.EXITED, name, imageId, imageRef, config, 0, code, oom, restartCount,
                    createdAt, startedAt, at);
        }

        State withName(String newName) {
            return new State(containerId, status, newName, imageId, imageRef, config, pid, exitCode, oomKilled,
                    restartCount, createdAt, startedAt, finishedAt);
        }

        State withConfig(ContainerConfig newConfig) {
            return new State(containerId, status, name, imageId, imageRef, newConfig, pid, exitCode, oomKilled,
                    restartCount, createdAt, startedAt, finishedAt);
        }
    }

    // --- behavior -------------------------------------------------------------------------------------------------

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Container");

    private final String containerId;

    private ContainerEntity(String containerId, ActorsSettings settings, Clock clock) {
        super(ENTITY_KEY, containerId, settings, clock);
        this.containerId = containerId;
    }

    public static Behavior<Command> create(String containerId, ActorsSettings settings, Clock clock) {
        return new ContainerEntity(containerId, settings, clock);
    }

    /** Docker's canonical form of a container name: with its leading slash. */
    public static String canonicalName(String name) {
        return name.startsWith("/") ? name : "/" + name;
    }

    @Override
    public State emptyState() {
        return State.empty(containerId);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return queries()
                .orElse(notCreated())
                .orElse(created())
                .orElse(running())
                .orElse(paused())
                .orElse(exited())
                .orElse(existing())
                .orElse(removed())
                .build();
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> queries() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> notCreated() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.NEW)
                .onCommand(Create.class, this::onCreate)
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchContainer()));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> created() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.CREATED)
                .onCommand(Start.class, cmd -> persist(new Started(containerId, cmd.pid(), now()), cmd.replyTo()))
                .onCommand(Stop.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_MODIFIED, alreadyStopped()))
                .onCommand(Pause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Unpause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notPaused()))
                .onCommand(ReportExit.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Signal.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Remove.class, cmd -> persist(new Removed(containerId, cmd.force(), now()), cmd.replyTo()));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> running() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.RUNNING)
                .onCommand(Start.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_MODIFIED,
                        "Container " + containerId + " is already started"))
                .onCommand(Stop.class, cmd -> persist(new Stopped(containerId, cmd.exitCode(), now()), cmd.replyTo()))
                .onCommand(Signal.class, cmd -> persist(new Signalled(containerId, cmd.signal(), now()), cmd.replyTo()))
                .onCommand(Pause.class, cmd -> persist(new Paused(containerId, now()), cmd.replyTo()))
                .onCommand(Unpause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notPaused()))
                .onCommand(ReportExit.class, this::onExit)
                .onCommand(Remove.class, cmd -> cmd.force()
                        ? persist(new Removed(containerId, true, now()), cmd.replyTo())
                        : reject(cmd.replyTo(), Rejection.CONFLICT, "You cannot remove a running container " + containerId
                                + ". Stop the container before attempting removal or force remove"));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> paused() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.PAUSED)
                .onCommand(Start.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "cannot start a paused container, try unpause instead"))
                .onCommand(Stop.class, cmd -> persist(new Stopped(containerId, cmd.exitCode(), now()), cmd.replyTo()))
                .onCommand(Signal.class, cmd -> persist(new Signalled(containerId, cmd.signal(), now()), cmd.replyTo()))
                .onCommand(Pause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "Container " + containerId + " is already paused"))
                .onCommand(Unpause.class, cmd -> persist(new Unpaused(containerId, now()), cmd.replyTo()))
                .onCommand(ReportExit.class, this::onExit)
                .onCommand(Remove.class, cmd -> cmd.force()
                        ? persist(new Removed(containerId, true, now()), cmd.replyTo())
                        : reject(cmd.replyTo(), Rejection.CONFLICT, "You cannot remove a paused container " + containerId
                                + ". Unpause and then stop the container before attempting removal or force remove"));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> exited() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.EXITED)
                .onCommand(Start.class, cmd -> persist(new Started(containerId, cmd.pid(), now()), cmd.replyTo()))
                .onCommand(Stop.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_MODIFIED, alreadyStopped()))
                .onCommand(Pause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Unpause.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notPaused()))
                .onCommand(ReportExit.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Signal.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT, notRunning()))
                .onCommand(Remove.class, cmd -> persist(new Removed(containerId, cmd.force(), now()), cmd.replyTo()));
    }

    /** Commands valid in every state of an existing container. */
    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> existing() {
        return newCommandHandlerWithReplyBuilder().forState(State::exists)
                .onCommand(Create.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "Container " + containerId + " already exists"))
                .onCommand(Restart.class, cmd -> persist(new Restarted(containerId, cmd.pid(), now()), cmd.replyTo()))
                // Also when the restarted process has already ended: the restart itself happened.
                .onCommand(ConfirmUserRestart.class, cmd -> persist(new RestartedByUser(containerId, now()), cmd.replyTo()))
                .onCommand(Rename.class, this::onRename)
                .onCommand(Update.class, this::onUpdate)
                .onCommand(ConnectNetwork.class, this::onConnect)
                .onCommand(DisconnectNetwork.class, this::onDisconnect)
                // Facts of sessions the daemon let run: recorded whatever the container did since.
                .onCommand(CreateExec.class, cmd ->
                        persist(new ExecCreated(containerId, cmd.execId(), cmd.command(), now()), cmd.replyTo()))
                .onCommand(StartExec.class, cmd ->
                        persist(new ExecStarted(containerId, cmd.execId(), cmd.command(), now()), cmd.replyTo()))
                .onCommand(ReportExecExit.class, cmd ->
                        persist(new ExecDied(containerId, cmd.execId(), cmd.exitCode(), now()), cmd.replyTo()));
    }

    private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> removed() {
        return newCommandHandlerWithReplyBuilder().forState(s -> s.status() == Status.REMOVED)
                .onCommand(Create.class, cmd -> reject(cmd.replyTo(), Rejection.CONFLICT,
                        "Container " + containerId + " was removed; a new container needs a new id"))
                .onCommand(Change.class, cmd -> reject(cmd.replyTo(), Rejection.NOT_FOUND, noSuchContainer()));
    }

    private ReplyEffect<Event, State> onCreate(Create cmd) {
        ContainerConfig config = cmd.config();
        if (!VALID_NAME.matcher(cmd.name()).matches()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, invalidName(cmd.name()));
        }
        if (config.autoRemove() && config.restartPolicy().restarts()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "can't create 'AutoRemove' container with restart policy");
        }
        String invalid = invalidUpdate(config.resources(), config.restartPolicy());
        if (!invalid.isEmpty()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, invalid);
        }
        return persist(new Created(containerId, canonicalName(cmd.name()), cmd.imageId(), cmd.imageRef(), config, now()),
                cmd.replyTo());
    }

    private ReplyEffect<Event, State> onExit(ReportExit cmd) {
        return persist(new Died(containerId, cmd.exitCode(), cmd.oomKilled(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onRename(State state, Rename cmd) {
        String to = canonicalName(cmd.toName());
        if (!VALID_NAME.matcher(cmd.toName()).matches()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, invalidName(cmd.toName()));
        }
        if (to.equals(state.name())) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, "Renaming a container with the same name as its current name");
        }
        if (!canonicalName(cmd.fromName()).equals(state.name())) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "Container " + containerId + " is no longer named "
                    + canonicalName(cmd.fromName()) + " but " + state.name());
        }
        return persist(new Renamed(containerId, state.name(), to, now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onConnect(State state, ConnectNetwork cmd) {
        String networkId = cmd.attachment().networkId();
        if (state.config().network(networkId).isPresent()) {
            return reject(cmd.replyTo(), Rejection.FORBIDDEN, "endpoint with name " + state.name().substring(1)
                    + " already exists in network " + networkId);
        }
        return persist(new NetworkConnected(containerId, cmd.attachment(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onDisconnect(State state, DisconnectNetwork cmd) {
        if (state.config().network(cmd.networkId()).isEmpty()) {
            return reject(cmd.replyTo(), Rejection.CONFLICT, "container " + containerId
                    + " is not connected to network " + cmd.networkId());
        }
        return persist(new NetworkDisconnected(containerId, cmd.networkId(), now()), cmd.replyTo());
    }

    private ReplyEffect<Event, State> onUpdate(State state, Update cmd) {
        String invalid = invalidUpdate(state.config(), cmd.resources(), cmd.restartPolicy());
        if (!invalid.isEmpty()) {
            return reject(cmd.replyTo(), Rejection.INVALID_ARGUMENT, invalid);
        }
        return persist(new Updated(containerId, cmd.resources(), cmd.restartPolicy(), now()), cmd.replyTo());
    }

    /**
     * Docker's checks of an update of a container configured as {@code config}; empty when valid. Also asked before
     * the new limits reach a running container.
     */
    static String invalidUpdate(ContainerConfig config, ContainerResources resources, RestartPolicy policy) {
        if (config.autoRemove() && policy.restarts()) {
            return "Restart policy cannot be updated because AutoRemove is enabled for the container";
        }
        return invalidUpdate(resources, policy);
    }

    /** Docker's checks on resources and restart policy; empty when valid. */
    private static String invalidUpdate(ContainerResources resources, RestartPolicy policy) {
        if (resources.memoryBytes() != 0 && resources.memoryBytes() < ContainerResources.MINIMUM_MEMORY_BYTES) {
            return "Minimum memory limit allowed is 6MB";
        }
        if (resources.memoryBytes() == 0 && resources.memorySwapBytes() > 0) {
            return "You should always set the Memory limit when using Memoryswap limit, see usage";
        }
        if (resources.memorySwapBytes() < -1) {
            return "invalid memory swap limit: use -1 for unlimited swap";
        }
        if (resources.memoryBytes() > 0 && resources.memorySwapBytes() > 0
                && resources.memorySwapBytes() < resources.memoryBytes()) {
            return "Minimum memoryswap limit should be larger than memory limit, see usage";
        }
        if (resources.nanoCpus() < 0 || resources.cpuShares() < 0) {
            return "Range of CPUs is from 0.01 to the number of CPUs available";
        }
        if (policy.maximumRetryCount() < 0) {
            return "invalid restart policy: maximum retry count cannot be negative";
        }
        if (policy.maximumRetryCount() > 0 && policy.mode() != RestartPolicy.Mode.ON_FAILURE) {
            return "invalid restart policy: maximum retry count can only be used with 'on-failure'";
        }
        return "";
    }

    private String noSuchContainer() {
        return "No such container: " + containerId;
    }

    private String notRunning() {
        return "Container " + containerId + " is not running";
    }

    private String notPaused() {
        return "Container " + containerId + " is not paused";
    }

    private String alreadyStopped() {
        return "Container " + containerId + " is already stopped";
    }

    public static String invalidName(String name) {
        return "Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed";
    }

    // --- events -> state ------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Created.class, (s, e) -> s.withCreated(e))
                .onEvent(Started.class, (s, e) -> s.withStarted(e.pid(), e.at()))
                .onEvent(Paused.class, (s, e) -> s.withStatus(Status.PAUSED))
                .onEvent(Unpaused.class, (s, e) -> s.withStatus(Status.RUNNING))
                .onEvent(Stopped.class, (s, e) -> s.withExited(e.exitCode(), false, e.at()))
                .onEvent(Died.class, (s, e) -> s.withExited(e.exitCode(), e.oomKilled(), e.at()))
                .onEvent(Restarted.class, (s, e) -> s.withRestarted(e.pid(), e.at()))
                .onEvent(Renamed.class, (s, e) -> s.withName(e.newName()))
                .onEvent(Updated.class, (s, e) -> s.withConfig(s.config().withUpdate(e.resources(), e.restartPolicy())))
                .onEvent(Removed.class, (s, e) -> s.withStatus(Status.REMOVED))
                .onEvent(Signalled.class, (s, e) -> s)
                .onEvent(RestartedByUser.class, (s, e) -> s)
                .onEvent(ExecCreated.class, (s, e) -> s)
                .onEvent(ExecStarted.class, (s, e) -> s)
                .onEvent(ExecDied.class, (s, e) -> s)
                .onEvent(NetworkConnected.class, (s, e) -> s.withConfig(s.config().withNetwork(e.attachment())))
                .onEvent(NetworkDisconnected.class, (s, e) -> s.withConfig(s.config().withoutNetwork(e.networkId())))
                .build();
    }
}
