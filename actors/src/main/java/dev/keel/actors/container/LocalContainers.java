package dev.keel.actors.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerEntity.Status;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.ArchiveEscapeException;
import dev.keel.os.archive.EntryPath;
import dev.keel.os.archive.ScopedPaths;
import dev.keel.os.archive.TarExtractor;
import dev.keel.os.archive.TreeArchive;
import dev.keel.os.cgroup.CgroupStats;
import dev.keel.os.cgroup.CgroupTree;
import dev.keel.os.cgroup.ProcessTable;
import dev.keel.os.image.ContainerDefaults;
import dev.keel.os.image.Digest;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.NoSuchImageException;
import dev.keel.os.image.ImageSettings;
import dev.keel.os.image.StoredImage;
import dev.keel.os.monitor.ContainerMonitor;
import dev.keel.os.monitor.ContainerExit;
import dev.keel.os.monitor.LogEntry;
import dev.keel.os.monitor.LogPosition;
import dev.keel.os.monitor.MonitorControl;
import dev.keel.os.monitor.RotatingLog;
import dev.keel.os.monitor.MonitorFailure;
import dev.keel.os.netns.InterfaceCounters;
import dev.keel.os.overlay.ContainerRootfs;
import dev.keel.os.overlay.UpperLayerArchive;
import dev.keel.os.runtime.ContainerRuntime;
import dev.keel.os.runtime.ContainerSpec;
import dev.keel.os.runtime.ContainerStatus;
import dev.keel.os.runtime.MountSpec;
import dev.keel.os.runtime.RecoveredContainer;
import dev.keel.os.runtime.Resources;
import dev.keel.os.runtime.RuncRuntime;
import dev.keel.os.runtime.RuntimeFailure;
import dev.keel.os.runtime.RuntimeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Docker's container verbs on this host, over runc, one keel-monitor per container and an overlayfs root filesystem.
 *
 * <p>Each request follows DESIGN's flow: the {@link ContainerEntity} records (and refuses what its state forbids),
 * the host acts, and the outcome is recorded. Requests on one container run one after the other (a lane per
 * container), so a stop never races a start, and the exit of a run is handled in the same lane. Runtime calls,
 * mounts and log reads block, so they run on {@code keel.actors.containers.host-dispatcher}.
 *
 * <p>A created container costs nothing on the host: its root filesystem and bundle are made at start. When its
 * process exits, the exit is recorded ({@code Died}, or {@code Stopped} when a user stopped it), the runtime state is
 * dropped but the log and the upper directory stay, and the restart policy or AutoRemove apply. The index of
 * containers (id to latest state) is a projection of the entities, rebuilt by {@link #reconcile()} at every start.
 */
public final class LocalContainers implements Containers, ContainerDirectory {

    private static final Logger log = LoggerFactory.getLogger(LocalContainers.class);

    /** A unix socket path ({@code sun_path}) holds 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final String ID_PLACEHOLDER = "0".repeat(ContainerMonitor.ATTACH_NAME_CHARS);
    /** Docker's exit code of a container whose end nobody saw (its monitor vanished, the host rebooted). */
    private static final int UNKNOWN_EXIT_CODE = 255;
    private static final long CPU_PERIOD_MICROS = 100_000;
    /** A cgroup no container has: a container that does not run reads as zeros. */
    private static final String NO_CGROUP = "/keel-no-such-cgroup";
    /** How long an archive being written may wait for a client that does not read before it is abandoned. */
    private static final Duration ARCHIVE_STALL_TIMEOUT = Duration.ofMinutes(1);

    private final ActorSystem<?> system;
    private final Domain domain;
    private final ImageCatalog catalog;
    private final Clock clock;
    private final ContainerRuntime runtime;
    private final RuntimeSettings runtimeSettings;
    private final ContainersSettings settings;
    private final Path rootfsDir;
    private final Syscalls sys;
    private final Duration askTimeout;
    private final ExecutionContextExecutor host;
    private final SecureRandom random = new SecureRandom();
    private final ContainerNames names = new ContainerNames(random);

    private final Map<String, State> index = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, Cancellable> pendingRestarts = new ConcurrentHashMap<>();
    private final Map<String, Duration> restartDelays = new ConcurrentHashMap<>();
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    /** How many readers and writers use a container's root filesystem ({@code docker cp}, export) right now. */
    private final Map<String, Integer> borrowedRootfs = new ConcurrentHashMap<>();
    private final LocalExecs execs;
    private final ContainerNetworking networking;
    private final ContainerVolumes volumes;

    /** One run of a container's process, from start (or re-adoption) to its exit. */
    private static final class Run {
        final Instant startedAt;
        /** A user stop or remove records the end itself; the exit handler must not record a death. */
        volatile boolean stopping;
        /** Ended by a user (stop, kill, remove): the restart policy does not apply. */
        volatile boolean manual;
        /** Completes once the exit is recorded and the log complete. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Run(Instant startedAt) {
            this.startedAt = startedAt;
        }
    }

    /** {@code since}: the container's finish time when the wait began; only a later exit ends it. */
    private record Waiter(WaitCondition condition, Instant since, CompletableFuture<Exit> exit) {}

    private LocalContainers(ActorSystem<?> system, Domain domain, ImageCatalog catalog, Clock clock,
                            ContainerRuntime runtime, RuntimeSettings runtimeSettings, ContainersSettings settings,
                            Path rootfsDir, Duration askTimeout, ContainerNetworking networking,
                            ContainerVolumes volumes) {
        this.system = system;
        this.domain = domain;
        this.catalog = catalog;
        this.clock = clock;
        this.runtime = runtime;
        this.runtimeSettings = runtimeSettings;
        this.settings = settings;
        this.rootfsDir = rootfsDir;
        this.sys = Syscalls.load();
        this.askTimeout = askTimeout;
        this.host = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.hostDispatcher()));
        this.execs = new LocalExecs(this, this, runtime, runtimeSettings, host, clock);
        this.networking = networking;
        this.volumes = volumes;
    }

    /** The exec instances of this host's containers. */
    public Execs execs() {
        return execs;
    }

    /**
     * Opens this host's runtime ({@code keel.native.runtime}) with container layers under
     * {@code keel.native.image}'s data root. The runtime stops watching exits when the actor system terminates;
     * the containers keep running.
     */
    public static LocalContainers start(ActorSystem<?> system, Domain domain, ImageCatalog catalog, Clock clock,
                                        ContainerNetworking networking, ContainerVolumes volumes) {
        var config = system.settings().config();
        RuntimeSettings runtimeSettings = RuntimeSettings.fromConfig(config.getConfig("keel.native.runtime"));
        Path attachSocket = runtimeSettings.socketDir().resolve(ID_PLACEHOLDER).resolve("attach");
        if (attachSocket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("keel.native.runtime.exec-root " + runtimeSettings.execRoot()
                    + " is too long: a container's attach socket " + attachSocket + " must fit in "
                    + MAX_SOCKET_PATH_BYTES + " bytes (a unix socket path)");
        }
        ImageSettings images = ImageSettings.fromConfig(config.getConfig("keel.native.image"));
        RuncRuntime runtime = new RuncRuntime(runtimeSettings, new ObjectMapper(), System.getProperty("os.arch"));
        system.getWhenTerminated().thenRun(runtime::close);
        return new LocalContainers(system, domain, catalog, clock, runtime, runtimeSettings,
                ContainersSettings.from(config), images.containersDir(),
                ActorsSettings.from(config).askTimeout(), networking, volumes);
    }

    @Override
    public Optional<State> find(String ref) {
        try {
            return Optional.ofNullable(index.get(resolveNow(ref)));
        } catch (EngineFailure e) {
            return Optional.empty();
        }
    }

    /** Whether a container that exists was made from image {@code imageId} ({@code sha256:<hex>} or the hex). */
    public Optional<String> containerUsing(String imageId) {
        String hex = hexOf(imageId);
        return index.values().stream().filter(s -> hexOf(s.imageId()).equals(hex)).map(State::containerId).findFirst();
    }

    /**
     * Rebuilds the index from the Container entities, then brings the host and the journal into agreement: a
     * container believed running is re-adopted when its monitor still watches it, or recorded dead with its real
     * exit code (255 when nobody saw it end) and its restart policy applied; runtime leftovers of containers that
     * do not run (or no longer exist) are removed.
     */
    public CompletionStage<Void> reconcile() {
        return domain.recordedIds(ContainerEntity.ENTITY_KEY)
                .mapAsyncUnordered(8, this::get)
                .runWith(Sink.seq(), system)
                .thenCompose(states -> blocking(runtime::recover).thenCompose(found -> adoptAll(states, found)));
    }

    private CompletionStage<Void> adoptAll(List<State> states, List<RecoveredContainer> found) {
        Map<String, RecoveredContainer> onHost = new LinkedHashMap<>();
        found.forEach(c -> onHost.put(c.id(), c));
        List<CompletableFuture<?>> steps = new ArrayList<>();
        for (State state : states) {
            if (!state.exists()) {
                continue;
            }
            String id = state.containerId();
            RecoveredContainer recovered = onHost.remove(id);
            if (state.isRunning() || state.isPaused()) {
                Run run = new Run(state.startedAt());
                if (recovered != null && recovered.status() != ContainerStatus.UNMONITORED) {
                    // An exit recorded while keeld was down completes the watch at once, with the real exit code.
                    runs.put(id, run);
                    watchExit(id, run);
                } else {
                    ContainerExit unseen = new ContainerExit(UNKNOWN_EXIT_CODE, clock.instant(), false);
                    steps.add(inLane(id, () -> afterExit(id, run, unseen)).toCompletableFuture());
                }
            } else {
                steps.add(blocking(() -> {
                    if (recovered != null) {
                        runtime.reset(id);
                    }
                    rootfs(id, List.of()).unmount();
                    return null;
                }).thenCompose(cleaned -> networking.detach(id)).toCompletableFuture());
            }
        }
        for (String orphan : onHost.keySet()) {
            steps.add(blocking(() -> {
                runtime.delete(orphan, true);
                return null;
            }));
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    // --- create, find, inspect ------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Created> create(CreateRequest request) {
        return blocking(() -> catalog.resolve(request.image()))
                .thenCompose(image -> {
                    ContainerConfig config = withRuntime(
                            withImageDefaults(request.config(), image.config().configOrEmpty()));
                    validate(config);
                    String id = newId();
                    List<String> imageVolumes = image.config().configOrEmpty().volumes() == null ? List.of()
                            : image.config().configOrEmpty().volumes().keySet().stream().sorted().toList();
                    return networking.resolve(config)
                            .thenCompose(networked -> volumes.resolve(id, networked, imageVolumes))
                            .thenCompose(resolved -> createNamed(id, request.name(), image, request.image(), resolved,
                                    settings.nameAttempts()));
                })
                .thenCompose(id -> get(id).thenApply(state -> new Created(id, List.of())));
    }

    private CompletionStage<String> createNamed(String id, String name, StoredImage image, String imageRef,
                                                ContainerConfig config, int attemptsLeft) {
        boolean generated = name.isEmpty();
        String chosen = generated ? names.next() : name;
        return domain.createContainer(id, chosen, image.id().toString(), imageRef, config).thenCompose(outcome -> {
            if (outcome instanceof Confirmation.Rejected rejected) {
                if (generated && rejected.reason() == Rejection.CONFLICT && attemptsLeft > 1) {
                    return createNamed(id, "", image, imageRef, config, attemptsLeft - 1);
                }
                throw EngineFailure.of(rejected);
            }
            return done(id);
        });
    }

    /**
     * Docker's merge of the image's config into the request: an Entrypoint from the client resets the image's Cmd;
     * Env and Labels are merged by key (the client's win); ExposedPorts are joined; the rest fill what is empty.
     */
    static ContainerConfig withImageDefaults(ContainerConfig c, ContainerDefaults image) {
        List<String> entrypoint = c.entrypoint();
        List<String> cmd = c.cmd();
        if (entrypoint.isEmpty()) {
            entrypoint = orEmpty(image.entrypoint());
            if (cmd.isEmpty()) {
                cmd = orEmpty(image.cmd());
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        Stream.concat(orEmpty(image.env()).stream(), c.env().stream()).forEach(e -> env.put(envKey(e), e));
        Map<String, String> labels = new LinkedHashMap<>(image.labels() == null ? Map.of() : image.labels());
        labels.putAll(c.labels());
        List<String> ports = new ArrayList<>(c.exposedPorts());
        if (image.exposedPorts() != null) {
            image.exposedPorts().keySet().stream().filter(p -> !ports.contains(p)).sorted().forEach(ports::add);
        }
        return new ContainerConfig(cmd, entrypoint, List.copyOf(env.values()),
                orDefault(c.workingDir(), image.workingDir()), orDefault(c.user(), image.user()), c.hostname(), labels,
                c.tty(), c.openStdin(), orDefault(c.stopSignal(), image.stopSignal()), c.restartPolicy(), c.resources(),
                c.autoRemove(), c.networkMode(), c.binds(), ports, c.portBindings(), c.publishAllPorts(), c.networks(),
                c.dns(), c.dnsSearch(), c.dnsOptions(), c.extraHosts(), c.mounts(), c.volumesFrom(), c.volumeDriver(),
                c.runtime());
    }

    @Override
    public Runtimes runtimes() {
        return new Runtimes(runtimeSettings.offeredRuntimes(), runtimeSettings.defaultRuntime());
    }

    /** The config with the runtime it asks for, or the default one, recorded by name; an unusable one is refused. */
    private ContainerConfig withRuntime(ContainerConfig config) {
        try {
            return config.withRuntime(runtime.selectRuntime(config.runtime()));
        } catch (RuntimeFailure e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage(), e);
        }
    }

    /** What Docker refuses at create rather than at start. */
    private static void validate(ContainerConfig config) {
        if (config.entrypoint().isEmpty() && config.cmd().isEmpty()) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "No command specified");
        }
        if (!config.workingDir().isEmpty() && !config.workingDir().startsWith("/")) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "the working directory '" + config.workingDir()
                    + "' is invalid, it needs to be an absolute path");
        }
        try {
            resourcesOf(config.resources());
        } catch (IllegalArgumentException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage());
        }
    }

    @Override
    public CompletionStage<String> resolve(String ref) {
        try {
            return done(resolveNow(ref));
        } catch (EngineFailure e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private String resolveNow(String ref) {
        if (index.containsKey(ref)) {
            return ref;
        }
        String name = ContainerEntity.canonicalName(ref);
        for (State state : index.values()) {
            if (state.name().equals(name)) {
                return state.containerId();
            }
        }
        if (!ref.isEmpty() && ref.matches("[0-9a-f]+")) {
            List<String> matches = index.keySet().stream().filter(id -> id.startsWith(ref)).toList();
            if (matches.size() > 1) {
                throw new EngineFailure(Rejection.INVALID_ARGUMENT, "multiple IDs found with provided prefix: " + ref);
            }
            if (matches.size() == 1) {
                return matches.get(0);
            }
        }
        throw new EngineFailure(Rejection.NOT_FOUND, "No such container: " + ref);
    }

    @Override
    public CompletionStage<State> inspect(String ref) {
        // The index is updated after every change this host makes, so reads need not ask the entity.
        return resolve(ref).thenCompose(id -> {
            State indexed = index.get(id);
            return indexed != null ? done(indexed) : existing(id);
        });
    }

    @Override
    public CompletionStage<List<State>> list(boolean all) {
        return done(index.values().stream()
                .filter(s -> all || s.isRunning() || s.isPaused())
                .sorted(Comparator.comparing(State::createdAt).reversed().thenComparing(State::containerId))
                .toList());
    }

    // --- start, stop, kill, restart, pause ------------------------------------------------------------------------

    @Override
    public CompletionStage<State> start(String ref) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> {
            cancelRestart(id);
            restartDelays.remove(id);
            return startHere(id, false).exceptionallyCompose(failure -> removeIfAutoRemove(id, failure));
        }));
    }

    /** A container that cannot start is removed when it asked for AutoRemove, as Docker does; the failure stands. */
    private CompletionStage<State> removeIfAutoRemove(String id, Throwable failure) {
        State state = index.get(id);
        if (state == null || !state.config().autoRemove() || state.isRunning()) {
            return CompletableFuture.failedFuture(failure);
        }
        return removeHere(id, true, true).handle((removed, ignored) -> {
            throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
        });
    }

    private CompletionStage<State> startHere(String id, boolean byPolicy) {
        return existing(id).thenCompose(state -> {
            if (state.isRunning()) {
                throw new EngineFailure(Rejection.NOT_MODIFIED, "Container " + id + " is already started");
            }
            if (state.isPaused()) {
                throw new EngineFailure(Rejection.CONFLICT, "cannot start a paused container, try unpause instead");
            }
            Run run = new Run(clock.instant());
            return networking.attach(state).thenCompose(network -> mountVolumes(state)
                    .thenCompose(volumeMounts -> blocking(() -> launch(state, network, volumeMounts)))
                    .exceptionallyCompose(failure -> volumes.unmount(id)
                            .thenCompose(unmounted -> blocking(() -> {
                                rootfs(id, List.of()).unmount();
                                return null;
                            }))
                            .thenCompose(unmounted -> networking.detach(id))
                            .thenApply(detached -> {
                                throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                            }))).thenCompose(pid -> {
                runs.put(id, run);
                watchExit(id, run);
                return change(id, r -> byPolicy ? new ContainerEntity.Restart(pid, r) : new ContainerEntity.Start(pid, r))
                        .thenCompose(outcome -> {
                            if (outcome instanceof Confirmation.Rejected rejected) {
                                // Refused after all: the process must not outlive the refusal.
                                run.manual = true;
                                return blocking(() -> {
                                    runtime.kill(id, "KILL");
                                    return null;
                                }).thenApply(killed -> {
                                    throw EngineFailure.of(rejected);
                                });
                            }
                            return get(id);
                        });
            });
        });
    }

    /** The container's volumes, mounted; its root filesystem is mounted first only when they need it, for copy-up. */
    private CompletionStage<List<MountSpec>> mountVolumes(State state) {
        if (state.config().mounts().isEmpty()) {
            return done(List.of());
        }
        return blocking(() -> rootfsOf(state).mount()).thenCompose(merged -> volumes.mount(state, merged));
    }

    private ContainerRootfs rootfsOf(State state) throws NoSuchImageException {
        return rootfs(state.containerId(), catalog.store().layerDirsTopFirst(Digest.parse(state.imageId())));
    }

    /** Has the runtime create and start the process on the mounted root filesystem. */
    private long launch(State state, ContainerNetworking.Setup network, List<MountSpec> volumeMounts)
            throws IOException {
        String id = state.containerId();
        runtime.reset(id);
        Path merged = rootfsOf(state).mount();
        return runtime.run(specOf(state, merged, network, volumeMounts)).pid();
    }

    private static ContainerSpec specOf(State state, Path rootfs, ContainerNetworking.Setup network,
                                        List<MountSpec> volumeMounts) {
        ContainerConfig c = state.config();
        List<String> args = new ArrayList<>(c.entrypoint());
        args.addAll(c.cmd());
        String workingDir = c.workingDir().isEmpty() ? "/" : c.workingDir();
        List<MountSpec> mounts = new ArrayList<>(network.mounts());
        mounts.addAll(volumeMounts);
        return new ContainerSpec(state.containerId(), rootfs, false, args, c.env(), workingDir, c.user(), List.of(),
                c.tty(), c.openStdin(), state.hostname(), mounts, network.netns(), resourcesOf(c.resources()), 0,
                c.runtime());
    }

    /**
     * Docker's limits as cgroup values: NanoCpus as a quota per 100 ms period, shares clamped as Docker does, and a
     * memory limit without MemorySwap allowing as much swap again (memory + swap = twice the memory).
     */
    private static Resources resourcesOf(ContainerResources r) {
        long shares = r.cpuShares() == 0 ? 0 : Math.max(2, Math.min(262_144, r.cpuShares()));
        long period = r.nanoCpus() == 0 ? 0 : CPU_PERIOD_MICROS;
        long quota = r.nanoCpus() == 0 ? 0 : Math.max(1000, r.nanoCpus() * CPU_PERIOD_MICROS / 1_000_000_000L);
        long swap = r.memoryBytes() == 0 ? 0 : r.memorySwapBytes() == 0 ? 2 * r.memoryBytes() : r.memorySwapBytes();
        return new Resources(r.memoryBytes(), swap, shares, quota, period, "", "", Math.max(0, r.pidsLimit()));
    }

    @Override
    public CompletionStage<State> stop(String ref, Optional<Duration> timeout, Optional<String> signal) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> stopHere(id, timeout, signal)));
    }

    private CompletionStage<State> stopHere(String id, Optional<Duration> timeout, Optional<String> signal) {
        boolean restartWasPending = cancelRestart(id);
        return existing(id).thenCompose(state -> {
            if (!state.isRunning() && !state.isPaused()) {
                if (restartWasPending) {
                    return done(state);
                }
                throw new EngineFailure(Rejection.NOT_MODIFIED, "Container " + id + " is already stopped");
            }
            Run run = runs.get(id);
            if (run != null) {
                run.stopping = true;
                run.manual = true;
            }
            String stopSignal = signal.filter(s -> !s.isEmpty())
                    .orElse(state.config().stopSignal().isEmpty() ? "SIGTERM" : state.config().stopSignal());
            Duration grace = timeout.orElse(runtimeSettings.defaultStopTimeout());
            // Docker: a negative timeout waits for ever, never sending SIGKILL.
            Duration untilKill = grace.isNegative() ? Duration.ofMillis(Long.MAX_VALUE) : grace;
            return blocking(() -> runtime.stop(id, stopSignal, untilKill))
                    .thenCompose(Function.identity())
                    .thenCompose(exit -> change(id, r -> new ContainerEntity.Stop(exit.exitCode(), r)))
                    .thenCompose(outcome -> refusedOrGet(outcome, id))
                    .whenComplete((stopped, failure) -> {
                        if (failure != null && run != null) {
                            run.stopping = false;
                        }
                        if (stopped != null) {
                            exited(stopped, false);
                        }
                    });
        });
    }

    @Override
    public CompletionStage<State> restart(String ref, Optional<Duration> timeout) {
        // Two steps in the lane: the stopped run's exit handling (queued in the lane by the stop) must clean up its
        // runtime state and root filesystem before the new run starts, not after.
        return resolve(ref).thenCompose(id -> {
            Run stoppedRun = runs.get(id);
            return inLane(id, () -> {
                restartDelays.remove(id);
                return existing(id).thenCompose(state -> state.isRunning() || state.isPaused()
                        ? stopHere(id, timeout, Optional.empty())
                        : done(state));
            })
                    .thenCompose(stopped -> stoppedRun == null ? done(null) : stoppedRun.ended)
                    .thenCompose(ended -> inLane(id, () -> {
                        cancelRestart(id);
                        return startHere(id, false)
                                .thenCompose(started -> change(id, ContainerEntity.ConfirmUserRestart::new))
                                .thenCompose(outcome -> refusedOrGet(outcome, id));
                    }));
        });
    }

    @Override
    public CompletionStage<State> kill(String ref, String signal) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> existing(id).thenCompose(state -> {
            if (!state.isRunning() && !state.isPaused()) {
                throw new EngineFailure(Rejection.CONFLICT, "Container " + id + " is not running");
            }
            String sent = signal.isEmpty() ? "KILL" : signal;
            if (!ContainerSignals.isValid(sent)) {
                throw new EngineFailure(Rejection.INVALID_ARGUMENT, "Invalid signal: " + signal);
            }
            cancelRestart(id);
            Run run = runs.get(id);
            if (run != null) {
                run.manual = true;
            }
            return change(id, r -> new ContainerEntity.Signal(sent, r))
                    .thenAccept(LocalContainers::accepted)
                    .thenCompose(recorded -> blocking(() -> {
                        runtime.kill(id, sent);
                        return null;
                    }))
                    .thenCompose(killed -> get(id));
        })));
    }

    @Override
    public CompletionStage<State> pause(String ref) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> existing(id).thenCompose(state -> {
            if (!state.isRunning()) {
                return change(id, ContainerEntity.Pause::new).thenCompose(outcome -> refusedOrGet(outcome, id));
            }
            return blocking(() -> {
                runtime.pause(id);
                return null;
            }).thenCompose(paused -> change(id, ContainerEntity.Pause::new))
                    .thenCompose(outcome -> refusedOrGet(outcome, id));
        })));
    }

    @Override
    public CompletionStage<State> unpause(String ref) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> existing(id).thenCompose(state -> {
            if (!state.isPaused()) {
                return change(id, ContainerEntity.Unpause::new).thenCompose(outcome -> refusedOrGet(outcome, id));
            }
            return blocking(() -> {
                runtime.unpause(id);
                return null;
            }).thenCompose(resumed -> change(id, ContainerEntity.Unpause::new))
                    .thenCompose(outcome -> refusedOrGet(outcome, id));
        })));
    }

    // --- exits and restart policies -------------------------------------------------------------------------------

    private void watchExit(String id, Run run) {
        runtime.awaitExit(id).whenComplete((exit, failure) -> {
            if (failure != null) {
                if (!(unwrap(failure) instanceof CancellationException)) {
                    log.warn("lost the exit of container {}: {}", id, unwrap(failure).getMessage());
                }
                return;
            }
            inLane(id, () -> afterExit(id, run, exit)).whenComplete((state, error) -> {
                if (error != null) {
                    log.warn("handling the exit of container {} failed: {}", id, unwrap(error).getMessage());
                }
            });
        });
    }

    /**
     * The end of a run: records it (unless a user stop does), drops the runtime state but keeps the log and the
     * upper directory, then removes the container (AutoRemove) or schedules its restart (policy).
     */
    private CompletionStage<State> afterExit(String id, Run run, ContainerExit exit) {
        runs.remove(id, run);
        CompletionStage<Confirmation> recorded = run.stopping
                ? done(Confirmation.accepted())
                : change(id, r -> new ContainerEntity.ReportExit(exit.exitCode(), exit.oomKilled(), r));
        return recorded
                .thenCompose(outcome -> get(id).thenApply(state -> {
                    if (outcome.isAccepted() && !run.stopping) {
                        exited(state, false);
                    }
                    return state;
                }))
                .thenCompose(recordedState -> blocking(() -> {
                    runtime.reset(id);
                    rootfs(id, List.of()).unmount();
                    return recordedState;
                }).thenCompose(cleaned -> volumes.unmount(id))
                        .thenCompose(unmounted -> networking.detach(id).thenApply(detached -> recordedState)))
                .thenCompose(cleaned -> get(id).thenCompose(state -> {
                    if (state.status() != Status.EXITED) {
                        return done(state);
                    }
                    if (state.config().autoRemove()) {
                        return removeHere(id, true, true);
                    }
                    if (!run.manual && restarts(state, exit)) {
                        scheduleRestart(id, run, exit);
                    }
                    return done(state);
                }))
                .whenComplete((state, failure) -> run.ended.complete(null));
    }

    private static boolean restarts(State state, ContainerExit exit) {
        RestartPolicy policy = state.config().restartPolicy();
        return switch (policy.mode()) {
            case NO -> false;
            case ALWAYS, UNLESS_STOPPED -> true;
            case ON_FAILURE -> exit.exitCode() != 0
                    && (policy.maximumRetryCount() == 0 || state.restartCount() < policy.maximumRetryCount());
        };
    }

    /** Docker's back-off: the first delay, doubled after each quick exit up to the maximum, reset by a long run. */
    private void scheduleRestart(String id, Run run, ContainerExit exit) {
        boolean ranLong = Duration.between(run.startedAt, exit.exitedAt()).compareTo(settings.restartBackoffResetAfter()) >= 0;
        Duration delay = restartDelays.compute(id, (key, previous) -> previous == null || ranLong
                ? settings.restartBackoffMin()
                : min(previous.multipliedBy(2), settings.restartBackoffMax()));
        Cancellable timer = system.scheduler().scheduleOnce(delay, () -> inLane(id, () -> {
            if (pendingRestarts.remove(id) == null) {
                return done(null);
            }
            return existing(id).thenCompose(state -> state.status() == Status.EXITED ? startHere(id, true) : done(state));
        }).whenComplete((state, failure) -> {
            if (failure != null) {
                log.warn("restarting container {} by its restart policy failed: {}", id, unwrap(failure).getMessage());
            }
        }), host);
        pendingRestarts.put(id, timer);
    }

    /** Cancels a restart by policy waiting for its back-off; returns whether there was one. */
    private boolean cancelRestart(String id) {
        Cancellable pending = pendingRestarts.remove(id);
        if (pending != null) {
            pending.cancel();
            return true;
        }
        return false;
    }

    // --- rename, update, remove -----------------------------------------------------------------------------------

    @Override
    public CompletionStage<State> rename(String ref, String newName) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> domain.renameContainer(id, newName)
                .thenCompose(outcome -> refusedOrGet(outcome, id))));
    }

    /**
     * The kernel first, then the fact: a running or paused container gets its new limits from the runtime before
     * the update is recorded, so a refused value records nothing. A stopped container's limits apply at its next start.
     */
    @Override
    public CompletionStage<State> update(String ref, ContainerResources resources, RestartPolicy restartPolicy) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> existing(id).thenCompose(state -> {
            String invalid = ContainerEntity.invalidUpdate(state.config(), resources, restartPolicy);
            if (!invalid.isEmpty()) {
                throw new EngineFailure(Rejection.INVALID_ARGUMENT, invalid);
            }
            boolean live = state.isRunning() || state.isPaused();
            CompletionStage<Void> applied = live && !resources.equals(state.config().resources())
                    ? blocking(() -> {
                        applyResources(id, resources);
                        return null;
                    })
                    : done(null);
            return applied.thenCompose(a -> change(id, r -> new ContainerEntity.Update(resources, restartPolicy, r)))
                    .thenCompose(outcome -> refusedOrGet(outcome, id));
        })));
    }

    /**
     * The runtime's refusal of a value (a memory limit below the container's usage) is the user's error, as Docker's.
     * A container that ended meanwhile takes the limits at its next start.
     */
    private void applyResources(String id, ContainerResources resources) {
        try {
            runtime.update(id, resourcesOf(resources));
        } catch (IllegalArgumentException e) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, e.getMessage(), e);
        } catch (RuntimeFailure e) {
            if (e.reason() == RuntimeFailure.Reason.NO_SUCH_CONTAINER) {
                return;
            }
            if (e.reason() != RuntimeFailure.Reason.RUNTIME_FAILED) {
                throw e;
            }
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "Cannot update container " + id + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public CompletionStage<State> remove(String ref, boolean force, boolean removeVolumes) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> removeHere(id, force, removeVolumes)));
    }

    /**
     * Kills the container first when forced, records the removal, then removes its runtime state, log and layers, and
     * lets its volumes go (its anonymous ones removed with {@code removeVolumes}, as {@code docker rm -v}).
     */
    private CompletionStage<State> removeHere(String id, boolean force, boolean removeVolumes) {
        return existing(id).thenCompose(state -> {
            boolean live = state.isRunning() || state.isPaused();
            if (live && !force) {
                return change(id, r -> new ContainerEntity.Remove(false, r)).thenCompose(outcome -> refusedOrGet(outcome, id));
            }
            cancelRestart(id);
            restartDelays.remove(id);
            Run run = runs.get(id);
            if (run != null) {
                run.stopping = true;
                run.manual = true;
            }
            CompletionStage<Void> killed = live ? blocking(() -> {
                runtime.delete(id, true);
                return null;
            }) : done(null);
            return killed
                    .thenCompose(k -> domain.removeContainer(id, force))
                    .thenCompose(outcome -> {
                        accepted(outcome);
                        return blocking(() -> {
                            try {
                                runtime.delete(id, true);
                            } catch (RuntimeFailure e) {
                                if (e.reason() != RuntimeFailure.Reason.NO_SUCH_CONTAINER) {
                                    throw e;
                                }
                            }
                            rootfs(id, List.of()).remove();
                            return null;
                        }).thenCompose(cleaned -> networking.detach(id))
                                .thenCompose(detached -> volumes.release(state, removeVolumes));
                    })
                    .thenCompose(cleaned -> get(id))
                    .thenApply(removed -> {
                        execs.forget(id);
                        exited(state, true);
                        if (run != null) {
                            run.ended.complete(null);
                        }
                        return removed;
                    });
        });
    }

    // --- wait, attach, resize, logs -------------------------------------------------------------------------------

    @Override
    public CompletionStage<CompletionStage<Exit>> await(String ref, WaitCondition condition) {
        return resolve(ref).thenCompose(this::existing).thenCompose(before -> {
            String id = before.containerId();
            CompletableFuture<Exit> exit = new CompletableFuture<>();
            Waiter waiter = new Waiter(condition, before.finishedAt(), exit);
            waiters.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(waiter);
            // Read again once registered: an exit recorded in between is seen here or reaches the waiter.
            return existing(id).thenApply(now -> {
                boolean notRunning = !now.isRunning() && !now.isPaused();
                boolean exitedSince = now.finishedAt().isAfter(waiter.since());
                if ((condition == WaitCondition.NOT_RUNNING && notRunning)
                        || (condition == WaitCondition.NEXT_EXIT && exitedSince && notRunning)) {
                    dropWaiter(id, waiter);
                    exit.complete(new Exit(now.exitCode()));
                }
                return (CompletionStage<Exit>) exit;
            }).whenComplete((stage, failure) -> {
                if (failure != null) {
                    dropWaiter(id, waiter);
                }
            });
        });
    }

    private void dropWaiter(String id, Waiter waiter) {
        waiters.computeIfPresent(id, (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
    }

    /** Completes the waits an exit recorded in {@code state} (or a removal) ends. */
    private void exited(State state, boolean removed) {
        String id = state.containerId();
        List<Waiter> list = waiters.get(id);
        if (list == null) {
            return;
        }
        for (Waiter waiter : list) {
            if (removed || (waiter.condition() != WaitCondition.REMOVED && state.finishedAt().isAfter(waiter.since()))) {
                list.remove(waiter);
                waiter.exit().complete(new Exit(state.exitCode()));
            }
        }
        waiters.computeIfPresent(id, (k, l) -> l.isEmpty() ? null : l);
    }

    @Override
    public CompletionStage<Attachment> attach(String ref) {
        // An exited container too: docker start -a attaches first, then starts, and the attachment waits for the monitor.
        return resolve(ref).thenCompose(this::existing).thenCompose(state -> blocking(() -> ContainerAttachments.attach(
                runtimeSettings, state.containerId(), state.config().tty(), state.config().openStdin())));
    }

    @Override
    public CompletionStage<State> resize(String ref, int height, int width) {
        return inspect(ref).thenCompose(state -> {
            if (!state.config().tty()) {
                return done(state);
            }
            return blocking(() -> {
                try {
                    MonitorControl.of(runtimeSettings.socketDir(), state.containerId()).resize(height, width);
                } catch (MonitorFailure gone) {
                    throw new EngineFailure(Rejection.CONFLICT, "Container " + state.containerId() + " is not running");
                }
                return state;
            });
        });
    }

    @Override
    public CompletionStage<Source<LogLine, NotUsed>> logs(String ref, LogQuery query) {
        return resolve(ref).thenCompose(this::existing).thenApply(state -> {
            String id = state.containerId();
            RotatingLog file = new RotatingLog(runtime.logFile(id));
            Run run = runs.get(id);
            CompletableFuture<Void> ended = query.follow() && run != null
                    ? run.ended : CompletableFuture.completedFuture(null);
            return Source.unfoldAsync(LogCursor.START, cursor -> readLog(file, query, ended, cursor))
                    .mapConcat(lines -> lines);
        });
    }

    /**
     * Where a log read is: the position of the next complete line (which a rotation does not move), whether this is
     * the first read (tail applies) or the last.
     */
    private record LogCursor(LogPosition position, boolean first, boolean idle, boolean finished) {
        static final LogCursor START = new LogCursor(LogPosition.START, true, false, false);
    }

    private CompletionStage<Optional<Pair<LogCursor, List<LogLine>>>> readLog(RotatingLog file, LogQuery query,
                                                                            CompletableFuture<Void> ended,
                                                                            LogCursor cursor) {
        if (cursor.finished()) {
            return done(Optional.empty());
        }
        CompletableFuture<?> ready = cursor.idle()
                ? CompletableFuture.anyOf(ended, CompletableFuture.runAsync(() -> { },
                        CompletableFuture.delayedExecutor(settings.logPollInterval().toMillis(), TimeUnit.MILLISECONDS, host)))
                : CompletableFuture.completedFuture(null);
        return ready.thenComposeAsync(r -> blocking(() -> {
            // Seen before reading: lines written before the exit are then in this read or the final one.
            boolean last = ended.isDone();
            // The final read also takes a trailing partial line: output that ended without a newline.
            RotatingLog.Chunk chunk = file.readFrom(cursor.position(), last);
            LogCursor next = new LogCursor(chunk.next(), false, chunk.entries().isEmpty(), last);
            return Optional.of(Pair.create(next, select(chunk.entries(), query, cursor.first())));
        }), host);
    }

    private static List<LogLine> select(List<LogEntry> entries, LogQuery query, boolean first) {
        List<LogLine> lines = entries.stream()
                .filter(e -> e.stream() == dev.keel.os.monitor.LogStream.STDOUT ? query.stdout() : query.stderr())
                .filter(e -> !e.time().isBefore(query.since()) && !e.time().isAfter(query.until()))
                .map(e -> new LogLine(e.stream() == dev.keel.os.monitor.LogStream.STDOUT ? LogStream.STDOUT : LogStream.STDERR,
                        e.time(), e.content()))
                .toList();
        if (first && query.tail() >= 0 && lines.size() > query.tail()) {
            return lines.subList(lines.size() - query.tail(), lines.size());
        }
        return lines;
    }

    // --- inspection: top, stats, changes, export, archive ---------------------------------------------------------

    @Override
    public CompletionStage<ProcessList> top(String ref, String psArgs) {
        return resolve(ref).thenCompose(this::existing).thenCompose(state -> {
            String id = state.containerId();
            if (!state.isRunning() && !state.isPaused()) {
                throw new EngineFailure(Rejection.CONFLICT, "Container " + id + " is not running");
            }
            return blocking(() -> {
                List<Long> pids = cgroups().processes("pids", cgroupOf(id));
                if (pids.isEmpty()) {
                    throw new EngineFailure(Rejection.CONFLICT, "Container " + id + " is not running");
                }
                ProcessTable table = ProcessTable.of(pids, psArgs);
                return new ProcessList(table.titles(), table.processes());
            });
        });
    }

    @Override
    public String logPath(String containerId) {
        return runtime.logFile(containerId).toString();
    }

    @Override
    public CompletionStage<ResourceUsage> stats(String ref) {
        return resolve(ref).thenCompose(this::existing).thenCompose(state -> blocking(() -> {
            boolean running = state.isRunning() || state.isPaused();
            String cgroup = running ? cgroupOf(state.containerId()) : NO_CGROUP;
            CgroupStats s = CgroupStats.read(cgroups(), cgroup, clock.instant());
            return new ResourceUsage(state.containerId(), state.name(), running, s.read(), s.pidsCurrent(),
                    s.pidsLimit(), s.memory().usage(), s.memory().maxUsage(), s.memory().limit(),
                    s.memory().failcnt(), s.memory().stat(), s.cpu().totalNanos(), s.cpu().perCpuNanos(),
                    s.cpu().kernelNanos(), s.cpu().userNanos(), s.cpu().periods(), s.cpu().throttledPeriods(),
                    s.cpu().throttledNanos(),
                    s.ioServiceBytes().stream().map(b -> new BlockIo(b.major(), b.minor(), b.op(), b.value())).toList(),
                    s.systemCpuNanos(), s.onlineCpus(),
                    (running ? InterfaceCounters.ofProcess(state.pid()) : List.<InterfaceCounters>of()).stream()
                            .map(n -> new NetworkIo(n.name(), n.rxBytes(), n.rxPackets(), n.rxErrors(), n.rxDropped(),
                                    n.txBytes(), n.txPackets(), n.txErrors(), n.txDropped()))
                            .toList());
        }));
    }

    @Override
    public CompletionStage<List<FileChange>> changes(String ref) {
        return resolve(ref).thenCompose(this::existing).thenCompose(state -> blocking(() -> {
            ContainerRootfs rootfs = rootfs(state.containerId(),
                    catalog.store().layerDirsTopFirst(Digest.parse(state.imageId())));
            if (!Files.isDirectory(rootfs.upper())) {
                return List.of();
            }
            return rootfs.changes().stream().map(c -> new FileChange(c.path(), switch (c.kind()) {
                case MODIFIED -> ChangeKind.MODIFIED;
                case ADDED -> ChangeKind.ADDED;
                case DELETED -> ChangeKind.DELETED;
            })).toList();
        }));
    }

    @Override
    public CompletionStage<Source<ByteString, NotUsed>> export(String ref) {
        return resolve(ref).thenCompose(id -> borrowRootfs(id)
                .thenApply(merged -> tarStream(id, out -> TreeArchive.write(merged, "", out))));
    }

    @Override
    public CompletionStage<PathStat> statPath(String ref, String path) {
        return resolve(ref).thenCompose(id -> borrowRootfs(id).thenCompose(merged -> blocking(() -> stat(id, merged, path))
                .whenComplete((stat, failure) -> releaseRootfs(id))));
    }

    @Override
    public CompletionStage<PathArchive> archive(String ref, String path) {
        return resolve(ref).thenCompose(id -> borrowRootfs(id).thenCompose(merged -> blocking(() -> {
            PathStat stat = stat(id, merged, path);
            Path source = pathInRoot(merged, path);
            return new PathArchive(stat, tarStream(id, out -> TreeArchive.write(source, stat.name(), out)));
        }).whenComplete((archive, failure) -> {
            if (failure != null) {
                releaseRootfs(id);
            }
        })));
    }

    @Override
    public CompletionStage<Void> extractArchive(String ref, String path, Source<ByteString, ?> tar,
                                                boolean noOverwriteDirNonDir) {
        return resolve(ref).thenCompose(id -> borrowRootfs(id).thenCompose(merged -> {
            Path spool;
            try {
                spool = Files.createTempFile("keel-cp-", ".tar");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Spooled first: the request is read to its end before anything is written into the container, and
            // noOverwriteDirNonDir can look at every entry before the first one is extracted.
            return tar.runWith(FileIO.toPath(spool), system)
                    .thenCompose(written -> blocking(() -> {
                        Path target = ScopedPaths.resolvePath(merged, path);
                        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                            throw new EngineFailure(Rejection.NOT_FOUND,
                                    "Could not find the file " + path + " in container " + id);
                        }
                        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "extraction point is not a directory");
                        }
                        try (InputStream in = Files.newInputStream(spool)) {
                            if (noOverwriteDirNonDir) {
                                refuseTypeChanges(spool, target);
                            }
                            new TarExtractor(sys).extract(in, target, TarExtractor.WhiteoutHandling.LITERAL);
                        } catch (ArchiveEscapeException escape) {
                            throw new EngineFailure(Rejection.INVALID_ARGUMENT, escape.getMessage(), escape);
                        }
                        return (Void) null;
                    }))
                    .whenComplete((done, failure) -> {
                        try {
                            Files.deleteIfExists(spool);
                        } catch (IOException e) {
                            log.warn("could not remove {}: {}", spool, e.getMessage());
                        }
                        releaseRootfs(id);
                    });
        }));
    }

    @Override
    public CompletionStage<ChangesLayer> changesLayer(String ref, boolean pause) {
        return resolve(ref).thenCompose(id -> inLane(id, () -> existing(id).thenCompose(state -> blocking(() -> {
            boolean freeze = pause && state.isRunning();
            Path tar = Files.createTempFile("keel-commit-", ".tar");
            if (freeze) {
                runtime.pause(id);
            }
            try (OutputStream out = Files.newOutputStream(tar)) {
                new UpperLayerArchive(sys).write(rootfs(id, List.of()).upper(), out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tar);
                throw e;
            } finally {
                if (freeze) {
                    runtime.unpause(id);
                }
            }
            return new ChangesLayer(state, tar);
        }))));
    }

    /** Docker's noOverwriteDirNonDir: no entry may replace a directory with a non-directory or the reverse. */
    private static void refuseTypeChanges(Path tar, Path target) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                EntryPath name = EntryPath.parse(entry.getName());
                if (name == null) {
                    continue;
                }
                Path existing = target;
                for (String component : name.components()) {
                    existing = existing.resolve(component);
                }
                if (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean isDir = Files.isDirectory(existing, LinkOption.NOFOLLOW_LINKS);
                if (isDir && !entry.isDirectory()) {
                    throw new EngineFailure(Rejection.INVALID_ARGUMENT, "cannot overwrite directory \"/" + name
                            + "\" with non-directory \"" + entry.getName() + "\"");
                }
                if (!isDir && entry.isDirectory()) {
                    throw new EngineFailure(Rejection.INVALID_ARGUMENT, "cannot overwrite non-directory \"/" + name
                            + "\" with directory \"" + entry.getName() + "\"");
                }
            }
        }
    }

    /**
     * Docker's {@code ResolvePath}: the directories of {@code path} resolved within the root as the container would
     * (symlinks followed, never out of it), its last element appended unresolved; a trailing {@code /} or {@code /.}
     * names the directory itself.
     */
    private static Path pathInRoot(Path merged, String path) throws IOException {
        String absolute = path.startsWith("/") ? path : "/" + path;
        int slash = absolute.lastIndexOf('/');
        String base = absolute.substring(slash + 1);
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            return ScopedPaths.resolvePath(merged, absolute);
        }
        return ScopedPaths.resolvePath(merged, absolute.substring(0, slash + 1)).resolve(base);
    }

    private static PathStat stat(String id, Path merged, String path) throws IOException {
        Path resolved = pathInRoot(merged, path);
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineFailure(Rejection.NOT_FOUND, "Could not find the file " + path + " in container " + id);
        }
        Map<String, Object> attrs = Files.readAttributes(resolved, "unix:mode,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        String linkTarget = "";
        if (Files.isSymbolicLink(resolved)) {
            linkTarget = "/" + String.join("/", ScopedPaths.resolve(merged, path));
        }
        String trimmed = path.replaceAll("/+$", "");
        String name = trimmed.isEmpty() ? "/" : trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return new PathStat(name, (Long) attrs.get("size"), (Integer) attrs.get("mode"),
                ((FileTime) attrs.get("lastModifiedTime")).toInstant(), linkTarget);
    }

    /** Something that writes a tar to a stream, on a blocking thread. */
    private interface TarWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * A tar written by {@code writer} on Pekko's blocking dispatcher as the client reads it; the borrowed root
     * filesystem is given back once the writer is done (the end of the tar, or a client that went away).
     */
    private Source<ByteString, NotUsed> tarStream(String id, TarWriter writer) {
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                releaseRootfs(id);
            }
        };
        Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.blocking());
        return StreamConverters.asOutputStream(ARCHIVE_STALL_TIMEOUT)
                .mapMaterializedValue(out -> {
                    CompletableFuture.runAsync(() -> {
                        try (out) {
                            writer.writeTo(out);
                        } catch (IOException e) {
                            log.warn("archive of container {} ended early: {}", id, e.getMessage());
                        }
                    }, blockingIo).whenComplete((written, failure) -> release.run());
                    return NotUsed.notUsed();
                });
    }

    /**
     * The container's merged root filesystem for a reader or writer, mounted for it when the container does not run;
     * every borrow is followed by one {@link #releaseRootfs}. Both run in the container's lane, so a start or a
     * removal never interleaves with the mount or unmount.
     */
    private CompletionStage<Path> borrowRootfs(String id) {
        return inLane(id, () -> existing(id).thenCompose(state -> blocking(() -> {
            Path merged = rootfs(id, catalog.store().layerDirsTopFirst(Digest.parse(state.imageId()))).mount();
            borrowedRootfs.merge(id, 1, Integer::sum);
            return merged;
        })));
    }

    /** Unmounts the root filesystem after its last borrower, unless the container runs (its process uses it). */
    private void releaseRootfs(String id) {
        inLane(id, () -> get(id).thenCompose(state -> blocking(() -> {
            Integer left = borrowedRootfs.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
            if (left == null && !state.isRunning() && !state.isPaused()) {
                rootfs(id, List.of()).unmount();
            }
            return null;
        }))).whenComplete((released, failure) -> {
            if (failure != null) {
                log.warn("unmounting the root filesystem of container {} failed: {}", id, unwrap(failure).getMessage());
            }
        });
    }

    private CgroupTree cgroups() {
        return CgroupTree.detect(runtimeSettings.cgroupRoot());
    }

    private String cgroupOf(String id) {
        return runtimeSettings.cgroupParent() + "/" + id;
    }

    // --- plumbing -------------------------------------------------------------------------------------------------

    /**
     * Runs {@code step} after every earlier step of the same container has finished, whatever its outcome.
     * Steps never enter their own container's lane again (that would wait for itself).
     */
    private <T> CompletionStage<T> inLane(String id, Supplier<CompletionStage<T>> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> next = lanes.compute(id, (key, tail) -> {
            CompletableFuture<Void> before = tail == null ? CompletableFuture.completedFuture(null) : tail;
            return before.thenComposeAsync(v -> runStep(step, result), host);
        });
        next.whenComplete((v, failure) -> lanes.remove(id, next));
        return result;
    }

    private static <T> CompletionStage<Void> runStep(Supplier<CompletionStage<T>> step, CompletableFuture<T> result) {
        CompletionStage<T> outcome;
        try {
            outcome = step.get();
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrap(failure));
            } else {
                result.complete(value);
            }
            return null;
        });
    }

    /** The entity's state; NOT_FOUND when the container does not exist. Keeps the index up to date. */
    private CompletionStage<State> existing(String id) {
        return get(id).thenApply(state -> {
            if (!state.exists()) {
                throw new EngineFailure(Rejection.NOT_FOUND, "No such container: " + id);
            }
            return state;
        });
    }

    private CompletionStage<State> get(String id) {
        return domain.container(id).ask(ContainerEntity.Get::new, askTimeout).thenApply(state -> {
            if (state.exists()) {
                index.put(id, state);
            } else {
                index.remove(id);
            }
            return state;
        });
    }

    private CompletionStage<Confirmation> change(String id,
                                                 Function<ActorRef<Confirmation>, ContainerEntity.Command> command) {
        return domain.container(id).ask(command::apply, askTimeout);
    }

    @Override
    public CompletionStage<State> record(String containerId,
                                         Function<ActorRef<Confirmation>, ContainerEntity.Command> command) {
        return change(containerId, command).thenCompose(outcome -> refusedOrGet(outcome, containerId));
    }

    private CompletionStage<State> refusedOrGet(Confirmation outcome, String id) {
        accepted(outcome);
        return get(id);
    }

    private static void accepted(Confirmation outcome) {
        if (outcome instanceof Confirmation.Rejected rejected) {
            throw EngineFailure.of(rejected);
        }
    }

    /** Runs host work on the host dispatcher; its failures become the {@link EngineFailure} a client sees. */
    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw asEngineFailure(e);
            }
        }, host);
    }

    private static RuntimeException asEngineFailure(Exception e) {
        if (e instanceof EngineFailure failure) {
            return failure;
        }
        if (e instanceof RuntimeFailure failure) {
            Rejection reason = switch (failure.reason()) {
                case NO_SUCH_CONTAINER -> Rejection.NOT_FOUND;
                case CONFLICT -> Rejection.CONFLICT;
                case INVALID_SPEC -> Rejection.INVALID_ARGUMENT;
                case RUNTIME_FAILED, UNSUPPORTED_RUNTIME -> Rejection.HOST_FAILURE;
            };
            return new EngineFailure(reason, failure.getMessage(), failure);
        }
        if (e instanceof dev.keel.os.image.NoSuchImageException missing) {
            return new EngineFailure(Rejection.NOT_FOUND, missing.getMessage(), missing);
        }
        if (e instanceof IllegalArgumentException invalid) {
            return new EngineFailure(Rejection.INVALID_ARGUMENT, invalid.getMessage(), invalid);
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return new EngineFailure(Rejection.HOST_FAILURE, e.getMessage(), e);
        }
        return e instanceof RuntimeException runtimeException ? runtimeException : new IllegalStateException(e);
    }

    private ContainerRootfs rootfs(String id, List<Path> lowerTopFirst) {
        return new ContainerRootfs(sys, rootfsDir, id, lowerTopFirst);
    }

    private String newId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String hexOf(String imageId) {
        return imageId.startsWith(Digest.ALGORITHM + ":") ? imageId.substring(Digest.ALGORITHM.length() + 1) : imageId;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String orDefault(String requested, String image) {
        return requested.isEmpty() && image != null ? image : requested;
    }

    private static String envKey(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
