package dev.keel.httpapi;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.keel.actors.Confirmation;
import dev.keel.actors.Domain;
import dev.keel.actors.host.HostEntity;
import dev.keel.actors.Engine;
import dev.keel.actors.container.Containers;
import dev.keel.httpapi.authz.AuthorizationLayer;
import dev.keel.httpapi.route.ApiRoutes;
import dev.keel.httpapi.route.ApiSettings;
import dev.keel.httpapi.system.DaemonFacts;
import dev.keel.httpapi.startup.DataRootLock;
import dev.keel.httpapi.startup.EngineId;
import dev.keel.httpapi.startup.HostFacts;
import dev.keel.httpapi.startup.PidFile;
import dev.keel.httpapi.transport.ApiListener;
import dev.keel.httpapi.transport.ListenAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running keeld: owns the data root lock, the pid file, the actor system (a single-node
 * cluster joined to itself, with sharding) and the API listeners, and takes them down in order
 * through CoordinatedShutdown.
 */
public final class Daemon {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** Why keeld is going down when an operator asked for it. */
    enum ShutdownRequested implements CoordinatedShutdown.Reason {
        SIGNAL
    }

    /** keeld could not start; the message is for the operator. */
    public static final class StartFailure extends Exception {
        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ActorSystem<SpawnProtocol.Command> system;
    private final DataRootLock lock;
    private final PidFile pidFile;

    private Daemon(ActorSystem<SpawnProtocol.Command> system, DataRootLock lock, PidFile pidFile) {
        this.system = system;
        this.lock = lock;
        this.pidFile = pidFile;
    }

    /**
     * Starts keeld and returns once the API answers.
     *
     * @param operatorConfig flags, -D and the config file, unresolved, highest precedence
     * @param defaults       keeld.conf over every reference.conf
     */
    public static Daemon start(DaemonSettings settings, Config operatorConfig, Config defaults,
                               String version, Clock clock, long pid, Instant launchedAt) throws StartFailure {
        DataRootLock lock = null;
        PidFile pidFile = null;
        ActorSystem<SpawnProtocol.Command> system = null;
        try {
            Files.createDirectories(settings.dataRoot());
            Files.createDirectories(settings.execRoot());
            lock = DataRootLock.acquire(settings.dataRoot(), pid);
            pidFile = PidFile.write(settings.pidFile(), pid);
            Config config = operatorConfig.withFallback(derived(settings, version)).withFallback(defaults).resolve();
            ApiSettings apiSettings = ApiSettings.from(config);
            system = ActorSystem.create(SpawnProtocol.create(), "keel", config);
            CompletableFuture<Done> up = joinSelf(system);
            // Started while the member joins: loading sharding and Pekko HTTP is a good part of start-up time. The
            // routes need the engine; requests that come before it is ready wait for it.
            ClusterSharding.get(system);
            CompletableFuture<Route> api = new CompletableFuture<>();
            Flow<HttpRequest, HttpResponse, NotUsed> handler = Directives.onSuccess(api, route -> route).flow(system);
            await(up, settings.startupTimeout(), "the cluster member to come Up");
            String engineId = EngineId.loadOrCreate(settings.dataRoot());
            HostFacts host = HostFacts.read();
            CompletionStage<Engine> starting = onMemberUp(system, clock);
            List<ApiListener> listeners = bindAll(settings, handler, system);
            stopWithSystem(system, listeners, settings.shutdownTimeout());
            Engine engine = await(starting, settings.startupTimeout(),
                    "the engine to start (image store " + config.getString("keel.native.image.data-root")
                            + ", runtime " + config.getString("keel.native.runtime.default-runtime") + ")");
            Containers.Runtimes runtimes = engine.containers().runtimes();
            DaemonFacts facts = DaemonFacts.read(engineId, host.name(), settings.dataRoot(), version, host.cpus(),
                    host.memoryBytes(), runtimes.paths(), runtimes.defaultRuntime());
            AuthorizationLayer authorization = AuthorizationLayer.start(config, system, engine);
            api.complete(new ApiRoutes(engine, apiSettings, facts, authorization).route());
            awaitHostUp(hostUp(system, engine, engineId, host), settings);
            log.info("keeld ready: listening on {}, data root {} (journal {}), pid {}, started in {} ms",
                    listeners.stream().map(ApiListener::uri).collect(Collectors.joining(", ")),
                    settings.dataRoot(), config.getString("keel.journal.embedded.dir"), pid,
                    Duration.between(launchedAt, clock.instant()).toMillis());
            return new Daemon(system, lock, pidFile);
        } catch (IOException | DataRootLock.InUse | PidFile.Taken | RuntimeException e) {
            String message = e instanceof IOException io ? "cannot start: " + describe(io)
                    : e.getMessage() != null ? e.getMessage() : e.toString();
            abandon(system, pidFile, lock);
            throw new StartFailure(message, e);
        }
    }

    /**
     * Runs once this node's cluster member is Up, before the API listens: the one place where the engine (sharded
     * entities, image store, runtime, reconcilers) is started.
     */
    private static CompletionStage<Engine> onMemberUp(ActorSystem<SpawnProtocol.Command> system, Clock clock) {
        log.info("cluster member {} is Up at {}", Cluster.get(system).selfMember().address(), clock.instant());
        return Engine.start(system, clock);
    }

    /** The host records itself up once the engine runs, and down again when keeld stops on purpose. */
    private static CompletionStage<Confirmation> hostUp(ActorSystem<SpawnProtocol.Command> system, Engine engine,
                                                        String engineId, HostFacts host) {
        String address = Cluster.get(system).selfMember().address().toString();
        Domain domain = engine.domain();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "keeld-host-down",
                () -> domain.hostDown(engineId, "keeld stopped").thenApply(confirmation -> Done.getInstance()));
        return domain.hostUp(engineId, host.name(), address, new HostEntity.HostResources(host.cpus(), host.memoryBytes()));
    }

    /** The host's first events are keeld's first journal writes: when they fail, the journal is the likely cause. */
    private static void awaitHostUp(CompletionStage<Confirmation> hostUp, DaemonSettings settings) {
        Confirmation confirmation;
        try {
            confirmation = await(hostUp, settings.startupTimeout(), "this host to come up");
        } catch (IllegalStateException e) {
            throw new IllegalStateException("could not record this host's start in the journal " + settings.journalDir()
                    + " (its errors, if any, are logged above): " + e.getMessage(), e);
        }
        if (confirmation instanceof Confirmation.Rejected rejected) {
            throw new IllegalStateException("this host was refused: " + rejected.message());
        }
    }

    /** Settings that follow from the daemon's flags unless the operator sets them (config file, -D). */
    private static Config derived(DaemonSettings settings, String version) {
        return ConfigFactory.empty()
                .withValue("keel.native.image.data-root", ConfigValueFactory.fromAnyRef(settings.dataRoot().toString()))
                .withValue("keel.native.runtime.state-root",
                        ConfigValueFactory.fromAnyRef(settings.dataRoot().resolve("runtime").toString()))
                .withValue("keel.native.runtime.exec-root",
                        ConfigValueFactory.fromAnyRef(settings.execRoot().resolve("runtime").toString()))
                .withValue("keel.stateplane.volumes-root",
                        ConfigValueFactory.fromAnyRef(settings.dataRoot().resolve("volumes").toString()))
                .withValue("keel.netplane.sandbox-root",
                        ConfigValueFactory.fromAnyRef(settings.execRoot().resolve("netns").toString()))
                .withValue("keel.journal.embedded.dir", ConfigValueFactory.fromAnyRef(settings.journalDir().toString()))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(settings.clusterHostname()))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.clusterPort()))
                .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef(settings.logLevel().pekkoLevel()))
                .withValue("pekko.http.server.server-header", ConfigValueFactory.fromAnyRef("Keel/" + version + " (linux)"));
    }

    private static CompletableFuture<Done> joinSelf(ActorSystem<?> system) {
        CompletableFuture<Done> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(Done.getInstance()));
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        return up;
    }

    private static List<ApiListener> bindAll(DaemonSettings settings, Flow<HttpRequest, HttpResponse, NotUsed> handler,
                                             ActorSystem<?> system) {
        List<ApiListener> listeners = new ArrayList<>();
        try {
            for (ListenAddress address : settings.hosts()) {
                listeners.add(await(ApiListener.bind(address, settings.socketGroup(), settings.tls(), handler, system),
                        settings.startupTimeout(), "binding " + address.uri()));
            }
            return listeners;
        } catch (RuntimeException e) {
            listeners.forEach(ApiListener::unbind);
            throw e;
        }
    }

    private static void stopWithSystem(ActorSystem<?> system, List<ApiListener> listeners, Duration deadline) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "keeld-unbind-api",
                () -> all(listeners.stream().map(ApiListener::unbind).toList()));
        shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "keeld-close-api-connections",
                () -> all(listeners.stream().map(l -> l.terminate(deadline)).toList()));
    }

    private static CompletionStage<Done> all(List<CompletionStage<Done>> stages) {
        return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
                .thenApply(v -> Done.getInstance());
    }

    private static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("gave up waiting for " + what + " after " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(what + " failed: " + (cause instanceof IOException io ? describe(io) : cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void abandon(ActorSystem<?> system, PidFile pidFile, DataRootLock lock) {
        if (system != null) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
        closeQuietly(pidFile);
        closeQuietly(lock);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("cleanup after a failed start: {}", e.toString());
        }
    }

    /** Starts the graceful shutdown: unbind, leave the cluster, stop sharding, terminate. */
    public void shutdown() {
        CoordinatedShutdown.get(system).run(ShutdownRequested.SIGNAL);
    }

    /**
     * Waits for the actor system to terminate, then removes the pid file and releases the data
     * root.
     *
     * @return the exit code: 0 when an operator asked for the shutdown, 1 otherwise
     */
    public int awaitTermination() {
        system.getWhenTerminated().toCompletableFuture().join();
        closeQuietly(pidFile);
        closeQuietly(lock);
        boolean requested = CoordinatedShutdown.get(system).getShutdownReason()
                .filter(reason -> reason == ShutdownRequested.SIGNAL).isPresent();
        log.info("keeld stopped: {}", requested ? "shutdown requested" : "actor system terminated unexpectedly");
        return requested ? 0 : 1;
    }
}
