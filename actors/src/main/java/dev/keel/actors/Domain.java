package dev.keel.actors;

import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.name.NameEntity;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.volume.VolumeEntity;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The daemon's entry point to the domain: starts Cluster Sharding for every entity kind, gives typed references to
 * entities, and runs the flows that span entities (names reserved before their owner is created).
 *
 * <p>Name flows: a name is reserved in its {@link NameEntity} before the owner is created and released when the owner
 * is removed, renamed or refused. A reservation is released only if this flow made it, so retrying a create whose reply
 * was lost never frees the name of the container that exists. When an ask fails (timeout), the reservation stays with
 * the would-be owner's id; retrying with the same id finishes the flow.
 *
 * <p>Persistence plugins are not named here: entities use {@code pekko.persistence.journal.plugin} and
 * {@code pekko.persistence.snapshot-store.plugin} from the daemon's configuration.
 */
public final class Domain {

    static final String CONTAINER_NAMES = "container";
    static final String NETWORK_NAMES = "network";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final Executor executor;
    private final String readJournal;

    private Domain(ActorSystem<?> system, ClusterSharding sharding, Duration askTimeout, Executor executor,
                   String readJournal) {
        this.system = system;
        this.readJournal = readJournal;
        this.sharding = sharding;
        this.askTimeout = askTimeout;
        this.executor = executor;
    }

    /** Initializes sharding of every entity kind on this node, with settings from {@code keel.actors}. */
    public static Domain start(ActorSystem<?> system, Clock clock) {
        ActorsSettings settings = ActorsSettings.from(system.settings().config());
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(ContainerEntity.ENTITY_KEY, ctx -> ContainerEntity.create(ctx.getEntityId(), settings, clock)));
        sharding.init(Entity.of(ImageEntity.ENTITY_KEY, ctx -> ImageEntity.create(ctx.getEntityId(), settings, clock)));
        sharding.init(Entity.of(NetworkEntity.ENTITY_KEY, ctx -> NetworkEntity.create(ctx.getEntityId(), settings, clock)));
        sharding.init(Entity.of(VolumeEntity.ENTITY_KEY, ctx -> VolumeEntity.create(ctx.getEntityId(), settings, clock)));
        sharding.init(Entity.of(HostEntity.ENTITY_KEY, ctx -> HostEntity.create(ctx.getEntityId(), settings, clock)));
        sharding.init(Entity.of(NameEntity.ENTITY_KEY, ctx -> NameEntity.create(ctx.getEntityId(), settings, clock)));
        // STACK_NOTES §2: continuations on the actor system's threads, not on the common pool.
        return new Domain(system, sharding, settings.askTimeout(), system.executionContext(), settings.readJournal());
    }

    /** The ids of every entity of a kind whose events the journal holds (removed ones too), as recorded so far. */
    public Source<String, NotUsed> recordedIds(EntityTypeKey<?> kind) {
        String prefix = kind.name() + "|";
        return PersistenceQuery.get(system)
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournal)
                .currentPersistenceIds()
                .filter(pid -> pid.startsWith(prefix))
                .map(pid -> pid.substring(prefix.length()));
    }

    public EntityRef<ContainerEntity.Command> container(String containerId) {
        return sharding.entityRefFor(ContainerEntity.ENTITY_KEY, containerId);
    }

    public EntityRef<ImageEntity.Command> image(String imageId) {
        return sharding.entityRefFor(ImageEntity.ENTITY_KEY, imageId);
    }

    public EntityRef<NetworkEntity.Command> network(String networkId) {
        return sharding.entityRefFor(NetworkEntity.ENTITY_KEY, networkId);
    }

    public EntityRef<VolumeEntity.Command> volume(String volumeName) {
        return sharding.entityRefFor(VolumeEntity.ENTITY_KEY, volumeName);
    }

    public EntityRef<HostEntity.Command> host(String hostId) {
        return sharding.entityRefFor(HostEntity.ENTITY_KEY, hostId);
    }

    public EntityRef<NameEntity.Command> name(String kind, String name) {
        return sharding.entityRefFor(NameEntity.ENTITY_KEY, NameEntity.key(kind, name));
    }

    /** A keeld joining the cluster: (re-)registers its host, whose address may have changed, and marks it up. */
    public CompletionStage<Confirmation> hostUp(String hostId, String name, String address,
                                                HostEntity.HostResources resources) {
        return host(hostId)
                .<Confirmation>ask(r -> new HostEntity.Register(name, address, resources, r), askTimeout)
                .thenComposeAsync(registered -> registered.isAccepted()
                        ? host(hostId).ask(HostEntity.MarkUp::new, askTimeout)
                        : done(registered), executor);
    }

    /** A keeld leaving on purpose: its host is recorded down with the reason. */
    public CompletionStage<Confirmation> hostDown(String hostId, String reason) {
        return host(hostId).ask(r -> new HostEntity.MarkDown(reason, r), askTimeout);
    }

    /** Docker's create: reserves the name, then creates the container; a refused create frees the name again. */
    public CompletionStage<Confirmation> createContainer(String containerId, String name, String imageId,
                                                         String imageRef, ContainerConfig config) {
        if (!ContainerEntity.VALID_NAME.matcher(name).matches()) {
            return done(Confirmation.rejected(Rejection.INVALID_ARGUMENT, ContainerEntity.invalidName(name)));
        }
        String canonical = ContainerEntity.canonicalName(name);
        return reserve(CONTAINER_NAMES, canonical, containerId).thenComposeAsync(reservation -> {
            if (reservation instanceof NameEntity.Taken taken) {
                return done(containerNameInUse(canonical, taken.ownerId()));
            }
            return container(containerId)
                    .<Confirmation>ask(r -> new ContainerEntity.Create(canonical, imageId, imageRef, config, r), askTimeout)
                    .thenComposeAsync(created -> releaseIfRefused(created, reservation, CONTAINER_NAMES, canonical, containerId), executor);
        }, executor);
    }

    /** Docker's rename: reserves the new name, renames, then frees the old one (or the new one when refused). */
    public CompletionStage<Confirmation> renameContainer(String containerId, String newName) {
        if (!ContainerEntity.VALID_NAME.matcher(newName).matches()) {
            return done(Confirmation.rejected(Rejection.INVALID_ARGUMENT, ContainerEntity.invalidName(newName)));
        }
        String canonical = ContainerEntity.canonicalName(newName);
        return container(containerId).ask(ContainerEntity.Get::new, askTimeout).thenComposeAsync(state -> {
            if (!state.exists()) {
                return done(Confirmation.rejected(Rejection.NOT_FOUND, "No such container: " + containerId));
            }
            String oldName = state.name();
            return reserve(CONTAINER_NAMES, canonical, containerId).thenComposeAsync(reservation -> {
                if (reservation instanceof NameEntity.Taken taken) {
                    return done(containerNameInUse(canonical, taken.ownerId()));
                }
                return container(containerId)
                        .<Confirmation>ask(r -> new ContainerEntity.Rename(oldName, canonical, r), askTimeout)
                        .thenComposeAsync(renamed -> renamed.isAccepted()
                                ? release(CONTAINER_NAMES, oldName, containerId).thenApply(released -> renamed)
                                : releaseIfRefused(renamed, reservation, CONTAINER_NAMES, canonical, containerId), executor);
            }, executor);
        }, executor);
    }

    /** Docker's rm: removes the container, then frees its name for reuse. */
    public CompletionStage<Confirmation> removeContainer(String containerId, boolean force) {
        return container(containerId)
                .<Confirmation>ask(r -> new ContainerEntity.Remove(force, r), askTimeout)
                .thenComposeAsync(removed -> !removed.isAccepted()
                        ? done(removed)
                        : container(containerId).ask(ContainerEntity.Get::new, askTimeout)
                                .thenComposeAsync(state -> release(CONTAINER_NAMES, state.name(), containerId), executor)
                                .thenApply(released -> removed), executor);
    }

    /** Docker's network create: network names are unique, as in Docker since 1.12. */
    public CompletionStage<Confirmation> createNetwork(String networkId, NetworkSpec spec) {
        if (spec.name().isBlank()) {
            return done(Confirmation.rejected(Rejection.INVALID_ARGUMENT, "network name must not be empty"));
        }
        return reserve(NETWORK_NAMES, spec.name(), networkId).thenComposeAsync(reservation -> {
            if (reservation instanceof NameEntity.Taken) {
                return done(Confirmation.rejected(Rejection.CONFLICT, "network with name " + spec.name() + " already exists"));
            }
            return network(networkId)
                    .<Confirmation>ask(r -> new NetworkEntity.Create(spec, r), askTimeout)
                    .thenComposeAsync(created -> releaseIfRefused(created, reservation, NETWORK_NAMES, spec.name(), networkId), executor);
        }, executor);
    }

    /** Docker's network rm: refused while containers are attached; frees the name once removed. */
    public CompletionStage<Confirmation> removeNetwork(String networkId) {
        return network(networkId)
                .<Confirmation>ask(r -> new NetworkEntity.Remove(r), askTimeout)
                .thenComposeAsync(removed -> !removed.isAccepted()
                        ? done(removed)
                        : network(networkId).ask(NetworkEntity.Get::new, askTimeout)
                                .thenComposeAsync(state -> release(NETWORK_NAMES, state.spec().name(), networkId), executor)
                                .thenApply(released -> removed), executor);
    }

    private CompletionStage<NameEntity.Reservation> reserve(String kind, String name, String ownerId) {
        return name(kind, name).ask(r -> new NameEntity.Reserve(ownerId, r), askTimeout);
    }

    private CompletionStage<Confirmation> release(String kind, String name, String ownerId) {
        return name(kind, name).ask(r -> new NameEntity.Release(ownerId, r), askTimeout);
    }

    private CompletionStage<Confirmation> releaseIfRefused(Confirmation outcome, NameEntity.Reservation reservation,
                                                           String kind, String name, String ownerId) {
        boolean freshReservation = reservation instanceof NameEntity.Granted granted && !granted.alreadyHeld();
        if (outcome.isAccepted() || !freshReservation) {
            return done(outcome);
        }
        return release(kind, name, ownerId).thenApply(released -> outcome);
    }

    private static Confirmation containerNameInUse(String name, String ownerId) {
        return Confirmation.rejected(Rejection.CONFLICT, "Conflict. The container name \"" + name
                + "\" is already in use by container \"" + ownerId
                + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
