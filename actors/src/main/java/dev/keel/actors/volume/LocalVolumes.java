package dev.keel.actors.volume;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.HostCalls;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerDirectory;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerMount;
import dev.keel.actors.container.ContainerVolumes;
import dev.keel.actors.container.ContainersSettings;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.runtime.MountSpec;
import dev.keel.pluginhost.Plugins;
import dev.keel.pluginhost.volume.RemoteVolumeDriver;
import dev.keel.stateplane.StateplaneSettings;
import dev.keel.stateplane.VolumeCopyUp;
import dev.keel.stateplane.local.LocalVolumeDriver;
import dev.keel.stateplane.spi.VolumeDriver;
import dev.keel.stateplane.spi.VolumeFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's volumes: the {@link VolumeEntity}s record, the drivers ("local", or a plugin found by the plugin host)
 * act. A volume is made by its driver first and recorded once it exists, so a driver that fails leaves no volume
 * behind; it is removed by its driver only once its entity agrees that no container uses it.
 *
 * <p>Driver calls block (mounts, plugins), so they run on {@code keel.actors.containers.host-dispatcher}.
 */
public final class LocalVolumes implements Volumes, ContainerVolumes {

    private static final Logger log = LoggerFactory.getLogger(LocalVolumes.class);
    private static final String LOCAL = LocalVolumeDriver.NAME;
    private static final String NOCOPY = "nocopy";
    private static final HexFormat HEX = HexFormat.of();

    private final ActorSystem<?> system;
    private final Domain domain;
    private final HostCalls hostCalls;
    private final Duration askTimeout;
    private final LocalVolumeDriver local;
    private final Plugins plugins;
    private final SecureRandom random = new SecureRandom();

    /** The projection of every active volume, by name. */
    private final Map<String, VolumeEntity.State> volumes = new ConcurrentHashMap<>();
    /** What each running container has mounted through a driver: volume names, in mount order. */
    private final Map<String, List<String>> mounted = new ConcurrentHashMap<>();
    /** Each plugin volume's host path as its driver last reported it (local volumes' paths are the driver's own). */
    private final Map<String, String> reportedMountpoints = new ConcurrentHashMap<>();
    private volatile ContainerDirectory containers;

    private LocalVolumes(ActorSystem<?> system, Domain domain, Executor host, Duration askTimeout,
                         LocalVolumeDriver local, Plugins plugins) {
        this.system = system;
        this.domain = domain;
        this.hostCalls = new HostCalls(host, LocalVolumes::translate);
        this.askTimeout = askTimeout;
        this.local = local;
        this.plugins = plugins;
    }

    /** Opens the volume plane ({@code keel.stateplane}) with plugins found by {@code plugins}. */
    public static LocalVolumes open(ActorSystem<?> system, Domain domain, Plugins plugins) {
        var config = system.settings().config();
        Executor host = system.dispatchers().lookup(DispatcherSelector.fromConfig(
                ContainersSettings.from(config).hostDispatcher()));
        LocalVolumeDriver local = new LocalVolumeDriver(
                StateplaneSettings.fromConfig(config.getConfig("keel.stateplane")), Syscalls.load());
        return new LocalVolumes(system, domain, host, ActorsSettings.from(config).askTimeout(), local, plugins);
    }

    /** Lets {@code --volumes-from} find containers by name or id: the container side's index. */
    public void useContainers(ContainerDirectory directory) {
        this.containers = directory;
    }

    /** Rebuilds the projection from the Volume entities; before containers are reconciled. */
    public CompletionStage<Void> recover() {
        return domain.recordedIds(VolumeEntity.ENTITY_KEY)
                .mapAsyncUnordered(8, name -> domain.volume(name).ask(VolumeEntity.Get::new, askTimeout))
                .runWith(Sink.seq(), system)
                .thenAccept(states -> states.stream().filter(VolumeEntity.State::isActive)
                        .forEach(s -> volumes.put(s.volumeName(), s)));
    }

    /**
     * Has the drivers count again the mounts of the containers that kept running while the daemon was away, so that
     * their stop unmounts them; after containers are reconciled.
     */
    public CompletionStage<Void> adoptMounts(List<ContainerEntity.State> running) {
        return blocking(() -> {
            for (ContainerEntity.State container : running) {
                for (ContainerMount m : container.config().mounts()) {
                    VolumeEntity.State volume = volumes.get(m.source());
                    if (m.type().equals("volume") && volume != null) {
                        mounted.computeIfAbsent(container.containerId(), id -> new ArrayList<>()).add(m.source());
                        try {
                            remember(volume, driver(volume.driver()).mount(m.source(), container.containerId())
                                    .toString());
                        } catch (RuntimeException e) {
                            // A plugin that is down: keeld starts, and the container's stop asks it again.
                            log.warn("volume {} of container {} cannot be counted again: {}", m.source(),
                                    container.containerId(), e.getMessage());
                        }
                    }
                }
            }
            return null;
        });
    }

    // --- volumes --------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Volume> create(String name, String driver, Map<String, String> options,
                                          Map<String, String> labels) {
        String chosen = name.isEmpty() ? newName() : name;
        String driverName = driver.isEmpty() ? LOCAL : driver;
        VolumeEntity.State existing = volumes.get(chosen);
        if (existing != null) {
            // Docker returns an existing volume when no driver is named, whichever driver has it.
            if (!driver.isEmpty() && !existing.driver().equals(driverName)) {
                return failed(new EngineFailure(Rejection.CONFLICT, "create " + chosen + ": volume name must be unique"
                        + " (it exists with driver " + existing.driver() + ")"));
            }
            return inspect(chosen);
        }
        if (!VolumeEntity.VALID_NAME.matcher(chosen).matches()) {
            return failed(new EngineFailure(Rejection.INVALID_ARGUMENT, "create " + chosen
                    + ": includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are"
                    + " allowed. If you intended to pass a host directory, use absolute path"));
        }
        return blocking(() -> {
            driver(driverName).create(chosen, options);
            return null;
        }).thenCompose(made -> domain.volume(chosen)
                .<Confirmation>ask(r -> new VolumeEntity.Create(driverName, options, labels, r), askTimeout)
                .thenCompose(outcome -> {
                    if (outcome instanceof Confirmation.Rejected rejected) {
                        return blocking(() -> {
                            quietly(() -> driver(driverName).remove(chosen));
                            throw EngineFailure.of(rejected);
                        });
                    }
                    return refresh(chosen).thenCompose(state -> inspect(chosen));
                }));
    }

    @Override
    public CompletionStage<Volume> inspect(String name) {
        VolumeEntity.State state = volumes.get(name);
        if (state == null) {
            return failed(noSuchVolume(name));
        }
        return blocking(() -> view(state));
    }

    @Override
    public CompletionStage<List<Volume>> list() {
        List<VolumeEntity.State> all = volumes.values().stream()
                .sorted(Comparator.comparing(VolumeEntity.State::volumeName)).toList();
        return blocking(() -> all.stream().map(this::view).toList());
    }

    @Override
    public CompletionStage<Void> remove(String name, boolean force) {
        VolumeEntity.State state = volumes.get(name);
        if (state == null) {
            return force ? CompletableFuture.completedFuture(null) : failed(noSuchVolume(name));
        }
        if (state.isInUse()) {
            return failed(new EngineFailure(Rejection.CONFLICT, "remove " + name + ": volume is in use - "
                    + "[" + String.join(", ", state.usedBy()) + "]"));
        }
        return blocking(() -> {
            driver(state.driver()).remove(name);
            return null;
        }).thenCompose(removedByDriver -> domain.volume(name)
                .<Confirmation>ask(r -> new VolumeEntity.Remove(force, r), askTimeout))
                .thenCompose(outcome -> {
                    if (outcome instanceof Confirmation.Rejected rejected) {
                        throw EngineFailure.of(rejected);
                    }
                    volumes.remove(name);
                    reportedMountpoints.remove(name);
                    return CompletableFuture.<Void>completedFuture(null);
                });
    }

    @Override
    public Optional<Long> sizeBytes(String name) {
        VolumeEntity.State state = volumes.get(name);
        if (state == null || !state.driver().equals(LOCAL)) {
            return Optional.empty();
        }
        long size = local.sizeBytes(name);
        return size < 0 ? Optional.empty() : Optional.of(size);
    }

    @Override
    public Optional<MountSource> mountSource(String name) {
        VolumeEntity.State state = volumes.get(name);
        if (state == null) {
            return Optional.empty();
        }
        String mountpoint = state.driver().equals(LOCAL)
                ? local.path(name).map(Path::toString).orElse("")
                : reportedMountpoints.getOrDefault(name, "");
        return Optional.of(new MountSource(state.driver(), mountpoint));
    }

    /**
     * The volume with what its driver says now; a plugin that cannot answer does not hide its volumes (a list would
     * fail as a whole): they show what was last known.
     */
    private Volume view(VolumeEntity.State state) {
        VolumeDriver driver;
        Optional<VolumeDriver.VolumeInfo> info;
        try {
            driver = driver(state.driver());
            info = driver.get(state.volumeName());
        } catch (VolumeFailure e) {
            if (state.driver().equals(LOCAL)) {
                throw e;
            }
            log.warn("volume {}: driver {} did not answer: {}", state.volumeName(), state.driver(), e.getMessage());
            return new Volume(state, reportedMountpoints.getOrDefault(state.volumeName(), ""), Map.of());
        }
        String mountpoint = info.flatMap(VolumeDriver.VolumeInfo::mountpoint)
                .or(() -> driver.path(state.volumeName()))
                .map(Path::toString).orElse("");
        remember(state, mountpoint);
        return new Volume(state, mountpoint, info.map(VolumeDriver.VolumeInfo::status).orElse(Map.of()));
    }

    private void remember(VolumeEntity.State state, String mountpoint) {
        if (!state.driver().equals(LOCAL) && !mountpoint.isEmpty()) {
            reportedMountpoints.put(state.volumeName(), mountpoint);
        }
    }

    // --- containers -----------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<ContainerConfig> resolve(String containerId, ContainerConfig config,
                                                    List<String> imageVolumes) {
        List<ContainerMount> mounts = new ArrayList<>();
        try {
            for (String from : config.volumesFrom()) {
                mounts.addAll(inheritedMounts(from));
            }
            config.binds().forEach(bind -> mounts.add(parseBind(bind)));
            for (ContainerMount m : config.mounts()) {
                if (m.type().equals("bind") && !Files.exists(Path.of(m.source()))) {
                    throw new IllegalArgumentException("invalid mount config for type \"bind\": bind source path does "
                            + "not exist: " + m.source());
                }
                mounts.add(m);
            }
            for (String path : imageVolumes) {
                if (mounts.stream().noneMatch(m -> m.target().equals(path))) {
                    mounts.add(new ContainerMount("volume", "", path, false, Map.of()));
                }
            }
            checkTargets(mounts);
        } catch (IllegalArgumentException e) {
            return failed(new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage()));
        } catch (EngineFailure e) {
            return failed(e);
        }
        return ensureVolumes(containerId, config.volumeDriver(), mounts, 0, new ArrayList<>())
                .thenApply(config::withMounts);
    }

    /** {@code --volumes-from container[:ro|rw]}: its volume and bind mounts, read-only when asked. */
    private List<ContainerMount> inheritedMounts(String spec) {
        String[] parts = spec.split(":");
        if (parts.length > 2 || (parts.length == 2 && !parts[1].equals("ro") && !parts[1].equals("rw"))) {
            throw new IllegalArgumentException("invalid mode for volumes-from: " + spec);
        }
        ContainerEntity.State source = containers.find(parts[0])
                .orElseThrow(() -> new EngineFailure(Rejection.NOT_FOUND, "No such container: " + parts[0]));
        return source.config().mounts().stream()
                .filter(m -> !m.type().equals("tmpfs"))
                .map(m -> parts.length == 2 ? new ContainerMount(m.type(), m.source(), m.target(),
                        parts[1].equals("ro"), m.options()) : m)
                .toList();
    }

    /** Docker's {@code -v}: {@code /host:/ctr[:opts]} a bind, {@code name:/ctr[:opts]} a named volume, {@code /ctr} anonymous. */
    private static ContainerMount parseBind(String bind) {
        String[] parts = bind.split(":");
        if (parts.length == 1) {
            requireAbsolute(parts[0], bind);
            return new ContainerMount("volume", "", parts[0], false, Map.of());
        }
        if (parts.length > 3) {
            throw new IllegalArgumentException("invalid volume specification: '" + bind + "'");
        }
        requireAbsolute(parts[1], bind);
        List<String> modes = parts.length == 3 ? List.of(parts[2].split(",")) : List.of();
        for (String mode : modes) {
            if (!List.of("ro", "rw", "z", "Z", NOCOPY, "private", "rprivate", "shared", "rshared", "slave", "rslave")
                    .contains(mode)) {
                throw new IllegalArgumentException("invalid mode: " + mode);
            }
        }
        boolean readOnly = modes.contains("ro");
        if (parts[0].startsWith("/")) {
            return new ContainerMount("bind", parts[0], parts[1], readOnly, Map.of());
        }
        return new ContainerMount("volume", parts[0], parts[1], readOnly,
                modes.contains(NOCOPY) ? Map.of(NOCOPY, "true") : Map.of());
    }

    private static void requireAbsolute(String target, String spec) {
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("invalid volume specification: '" + spec
                    + "': invalid mount config: the container path must be absolute");
        }
    }

    private static void checkTargets(List<ContainerMount> mounts) {
        List<String> seen = new ArrayList<>();
        for (ContainerMount m : mounts) {
            if (seen.contains(m.target())) {
                throw new IllegalArgumentException("Duplicate mount point: " + m.target());
            }
            seen.add(m.target());
        }
    }

    /** Creates the named volumes that do not exist and the anonymous ones, and records the container as their user. */
    private CompletionStage<List<ContainerMount>> ensureVolumes(String containerId, String volumeDriver,
                                                               List<ContainerMount> wanted, int index,
                                                               List<ContainerMount> resolved) {
        if (index == wanted.size()) {
            return CompletableFuture.completedFuture(resolved);
        }
        ContainerMount m = wanted.get(index);
        if (!m.type().equals("volume")) {
            resolved.add(m);
            return ensureVolumes(containerId, volumeDriver, wanted, index + 1, resolved);
        }
        boolean anonymous = m.source().isEmpty();
        String name = anonymous ? newName() : m.source();
        CompletionStage<Volume> volume = volumes.containsKey(name)
                ? CompletableFuture.completedFuture(null)
                : create(name, volumeDriver, Map.of(), anonymous ? Map.of(ANONYMOUS_LABEL, "") : Map.of());
        return volume
                .thenCompose(made -> domain.volume(name)
                        .<Confirmation>ask(r -> new VolumeEntity.Attach(containerId, r), askTimeout))
                .thenCompose(attached -> {
                    if (attached instanceof Confirmation.Rejected rejected) {
                        throw EngineFailure.of(rejected);
                    }
                    return refresh(name);
                })
                .thenCompose(state -> {
                    resolved.add(new ContainerMount("volume", name, m.target(), m.readOnly(), m.options()));
                    return ensureVolumes(containerId, volumeDriver, wanted, index + 1, resolved);
                });
    }

    @Override
    public CompletionStage<List<MountSpec>> mount(ContainerEntity.State container, Path rootfs) {
        String id = container.containerId();
        if (container.config().mounts().isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return blocking(() -> {
            List<MountSpec> specs = new ArrayList<>();
            try {
                for (ContainerMount m : container.config().mounts()) {
                    specs.add(switch (m.type()) {
                        case "bind" -> {
                            Files.createDirectories(Path.of(m.source()));
                            yield MountSpec.bind(m.source(), m.target(), m.readOnly());
                        }
                        case "tmpfs" -> MountSpec.tmpfs(m.target(), tmpfsOptions(m));
                        default -> mountVolume(id, m, rootfs);
                    });
                }
            } catch (RuntimeException e) {
                unmountAll(id);
                throw e;
            }
            return specs;
        });
    }

    private MountSpec mountVolume(String containerId, ContainerMount m, Path rootfs) {
        VolumeEntity.State volume = volumes.get(m.source());
        if (volume == null) {
            throw noSuchVolume(m.source());
        }
        Path data = driver(volume.driver()).mount(m.source(), containerId);
        mounted.computeIfAbsent(containerId, id -> new ArrayList<>()).add(m.source());
        remember(volume, data.toString());
        if (!m.options().containsKey(NOCOPY)) {
            VolumeCopyUp.copyUp(rootfs.resolve(m.target().substring(1)), data);
        }
        return MountSpec.bind(data.toString(), m.target(), m.readOnly());
    }

    private static List<String> tmpfsOptions(ContainerMount m) {
        List<String> options = new ArrayList<>();
        m.options().forEach((key, value) -> options.add(value.isEmpty() ? key : key + "=" + value));
        if (m.readOnly()) {
            options.add("ro");
        }
        return options;
    }

    @Override
    public CompletionStage<Void> unmount(String containerId) {
        if (!mounted.containsKey(containerId)) {
            return CompletableFuture.completedFuture(null);
        }
        return blocking(() -> {
            unmountAll(containerId);
            return null;
        });
    }

    private void unmountAll(String containerId) {
        List<String> names = mounted.remove(containerId);
        if (names == null) {
            return;
        }
        for (String name : names) {
            VolumeEntity.State volume = volumes.get(name);
            if (volume != null) {
                quietly(() -> driver(volume.driver()).unmount(name, containerId));
            }
        }
    }

    @Override
    public CompletionStage<Void> release(ContainerEntity.State container, boolean removeAnonymous) {
        String id = container.containerId();
        CompletionStage<Void> chain = unmount(id);
        for (ContainerMount m : container.config().mounts()) {
            if (!m.type().equals("volume") || !volumes.containsKey(m.source())) {
                continue;
            }
            String name = m.source();
            chain = chain
                    .thenCompose(done -> domain.volume(name)
                            .<Confirmation>ask(r -> new VolumeEntity.Detach(id, r), askTimeout))
                    .thenCompose(detached -> refresh(name))
                    .thenCompose(state -> removeAnonymous && state.labels().containsKey(ANONYMOUS_LABEL)
                            ? remove(name, true).exceptionally(failure -> {
                                log.warn("could not remove anonymous volume {}: {}", name, failure.getMessage());
                                return null;
                            })
                            : CompletableFuture.completedFuture(null));
        }
        return chain;
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private CompletionStage<VolumeEntity.State> refresh(String name) {
        return domain.volume(name).ask(VolumeEntity.Get::new, askTimeout).thenApply(state -> {
            if (state.isActive()) {
                volumes.put(name, state);
            } else {
                volumes.remove(name);
            }
            return state;
        });
    }

    /** The driver by name: "local", or a plugin looked up (and activated) by the plugin host. */
    private VolumeDriver driver(String name) {
        return name.equals(LOCAL) ? local : RemoteVolumeDriver.lookUp(plugins, name);
    }

    private String newName() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    private static EngineFailure noSuchVolume(String name) {
        return new EngineFailure(Rejection.NOT_FOUND, "get " + name + ": no such volume");
    }

    private static EngineFailure asEngineFailure(VolumeFailure failure) {
        Rejection reason = switch (failure.kind()) {
            case INVALID_ARGUMENT -> Rejection.INVALID_ARGUMENT;
            case CONFLICT -> Rejection.CONFLICT;
            case NOT_FOUND -> Rejection.NOT_FOUND;
            case UNAVAILABLE, FAILED -> Rejection.HOST_FAILURE;
        };
        return new EngineFailure(reason, failure.getMessage(), failure);
    }

    private static void quietly(Runnable step) {
        HostCalls.quietly(log, "volume", step);
    }

    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return hostCalls.run(work);
    }

    private static EngineFailure translate(Exception e) {
        return e instanceof VolumeFailure volume ? asEngineFailure(volume)
                : new EngineFailure(Rejection.HOST_FAILURE, e.getMessage(), e);
    }

    private static <T> CompletableFuture<T> failed(Throwable failure) {
        return CompletableFuture.failedFuture(failure);
    }
}
