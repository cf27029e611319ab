package dev.keel.os.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.os.cgroup.CgroupTree;
import dev.keel.os.monitor.ContainerMonitor;
import dev.keel.os.monitor.ContainerExit;
import dev.keel.os.monitor.ExecMonitor;
import dev.keel.os.monitor.ExitWatcher;
import dev.keel.os.monitor.HostProcess;
import dev.keel.os.monitor.JsonFileLog;
import dev.keel.os.monitor.LogRotation;
import dev.keel.os.monitor.MonitorBinary;
import dev.keel.os.monitor.MonitorControl;
import dev.keel.os.monitor.MonitorFailure;
import dev.keel.os.monitor.MonitorRecord;
import dev.keel.os.monitor.RotatingLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@link ContainerRuntime} on OCI runtimes with runc's command line (runc, crun, or the operator's), one
 * keel-monitor per container ({@link ContainerMonitor}), each container on the runtime it was created with.
 *
 * <p>On disk, per container: {@code <state-root>/containers/<id>/} is the bundle ({@code config.json}) and the
 * monitor's working directory ({@code <id>-json.log}, {@code pidfile}, {@code persist/exit}, {@code oom},
 * {@code monitor.json}, {@code runtime}, {@code exec/<n>/} per exec session). Under {@code <exec-root>}: each
 * runtime's state ({@code runc/}, {@code <name>/}), exit files ({@code exits/<id>}) and attach-socket links
 * ({@code socks/<id>}). {@code monitor.json} and {@code runtime} (the runtime's name) are what a later instance needs
 * to recognise the monitor ({@link MonitorRecord}) and to reach the container. The monitor's binary is
 * {@code <state-root>/bin/keel-monitor} ({@link MonitorBinary}) unless the settings name another.
 */
public final class RuncRuntime implements ContainerRuntime {

    private static final System.Logger log = System.getLogger(RuncRuntime.class.getName());
    private static final String MONITOR_RECORD = "monitor.json";
    /** The log of a container created under conmon before keel-monitor, in k8s-file format. */
    private static final String CONMON_LOG = "ctr.log";
    private static final String EXEC_LOG = "exec-json.log";
    /** The name of the runtime the container was created with; absent (made by an older keeld): the default. */
    private static final String RUNTIME_RECORD = "runtime";

    /** One OCI runtime: its command line and the monitors that run its containers, both on its own state root. */
    private record OciRuntime(String name, RuntimeCommand command, ContainerMonitor monitor) {}

    private final RuntimeSettings settings;
    private final ObjectMapper json;
    private final BundleConfig bundles;
    private final Map<String, OciRuntime> runtimes = new TreeMap<>();
    /** Each container's runtime, read once from its {@value #RUNTIME_RECORD} file; every runtime call needs it. */
    private final Map<String, OciRuntime> runtimeOfContainer = new ConcurrentHashMap<>();
    /** Runtimes offered but unable to work on this host, with the reason. */
    private final Map<String, String> refusals = new TreeMap<>();
    private final ExitWatcher exits;
    private final ScheduledExecutorService stopTimers;
    private final LogRotation logRotation;
    private final AtomicLong execSessions = new AtomicLong();

    /**
     * @param osArch the JVM's {@code os.arch}, for the seccomp profile's architectures
     * @throws RuntimeFailure {@code UNSUPPORTED_RUNTIME} when a binary is missing or the default runtime cannot work
     *     here
     */
    public RuncRuntime(RuntimeSettings settings, ObjectMapper json, String osArch) {
        this.settings = settings;
        this.json = json;
        Map<String, Path> offered = settings.offeredRuntimes();
        if (offered.containsKey("crun")) {
            String controllers = CgroupTree.detect(settings.cgroupRoot()).hybridUnifiedControllers();
            if (!controllers.isEmpty()) {
                refusals.put("crun", "crun cannot run containers on this host: the cgroup v2 mount of this hybrid "
                    + "cgroup host has controllers enabled (" + controllers + "), and crun refuses that (\"cgroups in "
                    + "hybrid mode not supported, drop all controllers from cgroupv2\"); use runc");
            }
        }
        String refusedDefault = refusals.get(settings.defaultRuntime());
        if (refusedDefault != null) {
            throw new RuntimeFailure(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME, refusedDefault);
        }
        Path monitorPath = settings.monitorPath().orElseGet(() -> MonitorBinary.install(settings.stateRoot()));
        List<Path> binaries = new ArrayList<>(offered.values());
        binaries.add(monitorPath);
        for (Path binary : binaries) {
            if (!Files.isExecutable(binary)) {
                throw new RuntimeFailure(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME, binary + " is not executable");
            }
        }
        try {
            Files.createDirectories(settings.containersDir());
            for (String name : offered.keySet()) {
                Files.createDirectories(settings.runtimeStateDir(name));
            }
            Files.createDirectories(settings.socketDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        offered.forEach((name, path) -> {
            List<String> options = new ArrayList<>(List.of("--root", settings.runtimeStateDir(name).toString()));
            options.addAll(settings.runtimeArgs().getOrDefault(name, List.of()));
            runtimes.put(name, new OciRuntime(name,
                new RuntimeCommand(path.toString(), options, settings.commandTimeout()),
                new ContainerMonitor(monitorPath, path, options, settings.socketDir(), settings.monitorLogLevel(),
                    settings.commandTimeout(), json)));
        });
        this.bundles = new BundleConfig(json, settings.cgroupParent(), osArch,
            DaemonPrivileges.openFilesLimit(settings.openFilesLimit(), Path.of("/proc/self")),
            CgroupTree.detect(settings.cgroupRoot()).limitsSwap());
        this.exits = new ExitWatcher(settings.exitDir());
        this.logRotation = new LogRotation(settings.log());
        this.stopTimers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "container-stop-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String selectRuntime(String requested) {
        String name = requested.isEmpty() ? settings.defaultRuntime() : requested;
        if (refusals.containsKey(name)) {
            throw new RuntimeFailure(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME, refusals.get(name));
        }
        if (!runtimes.containsKey(name)) {
            throw new RuntimeFailure(RuntimeFailure.Reason.INVALID_SPEC, "Unknown runtime specified " + name);
        }
        return name;
    }

    @Override
    public CreatedContainer create(ContainerSpec spec) {
        return launch(spec, false);
    }

    @Override
    public CreatedContainer run(ContainerSpec spec) {
        return launch(spec, true);
    }

    /** Writes the bundle and starts the monitor, which has the runtime create the container, and start it if asked. */
    private CreatedContainer launch(ContainerSpec spec, boolean start) {
        String id = spec.id();
        Path dir = containerDir(id);
        // A reset container leaves its log alone in the directory; only a bundle means the id is in use.
        if (Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve(MONITOR_RECORD))) {
            throw new RuntimeFailure(RuntimeFailure.Reason.CONFLICT, "container id " + id + " is already in use");
        }
        if (!Files.isDirectory(spec.rootfs())) {
            throw new RuntimeFailure(RuntimeFailure.Reason.INVALID_SPEC, "root filesystem " + spec.rootfs()
                + " is not a directory");
        }
        OciRuntime runtime = runtimes.get(selectRuntime(spec.runtime()));
        ProcessUser user;
        try {
            user = UserDatabase.of(spec.rootfs()).resolve(spec.user(), spec.additionalGroups());
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(RuntimeFailure.Reason.INVALID_SPEC, e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir.resolve("persist"));
            Files.writeString(dir.resolve(RUNTIME_RECORD), runtime.name());
            runtimeOfContainer.put(id, runtime);
            json.writeValue(dir.resolve("config.json").toFile(), bundles.of(spec, user));
            Files.deleteIfExists(settings.exitDir().resolve(id));
            ContainerMonitor.StartedMonitor monitor = runtime.monitor().create(id, dir, jsonLog(id), settings.exitDir(),
                dir.resolve("persist"), spec.tty(), spec.openStdin(), start);
            json.writeValue(dir.resolve(MONITOR_RECORD).toFile(), monitor.record());
            logRotation.watch(jsonLog(id), MonitorControl.of(settings.socketDir(), id));
            return new CreatedContainer(id, monitor.record().containerPid(), monitor.record().conmonPid(),
                jsonLog(id));
        } catch (MonitorFailure e) {
            reset(id);
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, RuntimeCommand.messageOf(e.getMessage()), e);
        } catch (IOException e) {
            reset(id);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            reset(id);
            throw e;
        }
    }

    @Override
    public void start(String id) {
        check(id, runtimeOf(id).command().run("start", id));
    }

    @Override
    public void kill(String id, String signal) {
        check(id, runtimeOf(id).command().run("kill", id, signal));
    }

    @Override
    public CompletableFuture<ContainerExit> stop(String id, String stopSignal, Duration timeout) {
        CompletableFuture<ContainerExit> exit = awaitExit(id);
        if (exit.isDone()) {
            return exit;
        }
        // Taken now: the container's directory may be gone by the time the KILL is due.
        RuntimeCommand runtime = runtimeOf(id).command();
        ContainerStatus before = state(id).status();
        RuntimeCommand.Outcome signalled = runtime.run("kill", id, stopSignal);
        if (!signalled.succeeded() && !exit.isDone() && isAlive(id)) {
            check(id, signalled);
        }
        if (before == ContainerStatus.PAUSED) {
            // A frozen process cannot act on the signal; Docker thaws it too.
            runtime.run("resume", id);
        }
        stopTimers.schedule(() -> {
            if (!exit.isDone()) {
                runtime.run("kill", id, "KILL");
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return exit;
    }

    @Override
    public void pause(String id) {
        check(id, runtimeOf(id).command().run("pause", id));
    }

    @Override
    public void unpause(String id) {
        check(id, runtimeOf(id).command().run("resume", id));
    }

    /** {@code runtime update --resources -}: the runtime writes the container's cgroup files. */
    @Override
    public void update(String id, Resources resources) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(bundles.updatedResources(resources));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        check(id, runtimeOf(id).command().run(body, "update", "--resources", "-", id));
    }

    @Override
    public ContainerState state(String id) {
        RuntimeCommand.Outcome outcome = runtimeOf(id).command().run("state", id);
        check(id, outcome);
        try {
            JsonNode state = json.readTree(outcome.stdout());
            return new ContainerState(id, ContainerStatus.ofRuntime(state.path("status").asText()),
                state.path("pid").asLong(), Path.of(state.path("bundle").asText()),
                Instant.parse(state.path("created").asText()));
        } catch (IOException e) {
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, "unreadable runtime state: "
                + outcome.stdout(), e);
        }
    }

    @Override
    public CompletableFuture<ContainerExit> awaitExit(String id) {
        if (!Files.isDirectory(containerDir(id))) {
            return CompletableFuture.failedFuture(noSuchContainer(id));
        }
        return exits.await(id).thenApply(file -> readExit(id, file));
    }

    @Override
    public ExecResult exec(String id, ExecSpec exec) {
        // Named apart from the container's own session: both share the socket directory, whose names are 32 chars.
        String sessionId = "exec" + execSessions.incrementAndGet() + "-" + id;
        Path sessionDir = sessionDir(id, sessionId);
        try {
            // The log is read before the session's files go, so the session leaves its cleanup to this method.
            ExecMonitor session = spawnExec(id, sessionId, exec, false, false, false, () -> { });
            session.start();
            int exitCode = session.awaitExit();
            return new ExecResult(exitCode, JsonFileLog.readAll(sessionDir.resolve(EXEC_LOG)));
        } catch (MonitorFailure e) {
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, RuntimeCommand.messageOf(e.getMessage()), e);
        } finally {
            endSession(sessionDir, sessionId);
        }
    }

    /**
     * Spawns the monitor of an exec session in running container {@code id}: {@code exec} runs with the container's
     * environment (plus its own entries), user and working directory unless it names others. Returns once the monitor
     * is ready; the process runs at {@link ExecMonitor#start}, and the session's files go when it has ended.
     *
     * @param sessionId unique on this host; its first {@value ContainerMonitor#ATTACH_NAME_CHARS} characters name its
     *     attach socket, {@link dev.keel.os.monitor.AttachSocket#path} and {@link dev.keel.os.monitor.MonitorControl#of}
     * @param attach serve the exec's stdio on its attach socket (ready when this returns)
     * @throws RuntimeFailure {@code NO_SUCH_CONTAINER}, {@code INVALID_SPEC} (an unknown user), or
     *     {@code RUNTIME_FAILED} when the monitor could not get ready
     */
    @Override
    public ExecMonitor prepareExec(String id, String sessionId, ExecSpec exec, boolean tty, boolean openStdin,
                                   boolean attach) {
        Path sessionDir = sessionDir(id, sessionId);
        return spawnExec(id, sessionId, exec, tty, openStdin, attach, () -> endSession(sessionDir, sessionId));
    }

    private ExecMonitor spawnExec(String id, String sessionId, ExecSpec exec, boolean tty, boolean openStdin,
                                  boolean attach, Runnable cleanup) {
        Path dir = containerDir(id);
        if (!Files.isDirectory(dir)) {
            throw noSuchContainer(id);
        }
        Path sessionDir = sessionDir(id, sessionId);
        try {
            JsonNode config = json.readTree(dir.resolve("config.json").toFile());
            JsonNode process = config.path("process");
            ProcessUser user = exec.user().isEmpty()
                ? userOf(process.path("user"))
                : UserDatabase.of(Path.of(config.path("root").path("path").asText()))
                    .resolve(exec.user(), List.of());
            String cwd = exec.workingDir().isEmpty() ? process.path("cwd").asText("/") : exec.workingDir();
            ObjectNode spec = bundles.process(exec.args(), mergeEnv(process.path("env"), exec.env()), cwd, tty, user,
                process.path("oomScoreAdj").asInt(0));
            deleteTree(sessionDir);
            Files.createDirectories(sessionDir.resolve("exit"));
            json.writeValue(sessionDir.resolve("process.json").toFile(), spec);
            return runtimeOf(id).monitor().prepareExec(id, sessionId, sessionDir, sessionDir.resolve(EXEC_LOG), tty,
                openStdin, attach, cleanup);
        } catch (IllegalArgumentException e) {
            endSession(sessionDir, sessionId);
            throw new RuntimeFailure(RuntimeFailure.Reason.INVALID_SPEC, e.getMessage(), e);
        } catch (MonitorFailure e) {
            endSession(sessionDir, sessionId);
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, RuntimeCommand.messageOf(e.getMessage()), e);
        } catch (IOException e) {
            endSession(sessionDir, sessionId);
            throw new UncheckedIOException(e);
        }
    }

    private Path sessionDir(String id, String sessionId) {
        return containerDir(id).resolve("exec").resolve(ContainerMonitor.attachName(sessionId));
    }

    /** Removes what the monitor leaves of a session: its directory and its link in the socket directory. */
    private void endSession(Path sessionDir, String sessionId) {
        deleteQuietly(settings.socketDir().resolve(ContainerMonitor.attachName(sessionId)));
        deleteTree(sessionDir);
    }

    @Override
    public void delete(String id, boolean force) {
        if (!Files.isDirectory(containerDir(id))) {
            throw noSuchContainer(id);
        }
        RuntimeCommand runtime = runtimeOf(id).command();
        if (!force) {
            RuntimeCommand.Outcome state = runtime.run("state", id);
            if (state.succeeded()) {
                ContainerStatus status = state(id).status();
                if (status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED) {
                    throw new RuntimeFailure(RuntimeFailure.Reason.CONFLICT, "cannot remove container " + id
                        + ": container is " + status.name().toLowerCase() + ": stop the container before removing"
                        + " or force remove");
                }
            }
        }
        RuntimeCommand.Outcome deleted = runtime.run("delete", "--force", id);
        if (!deleted.succeeded() && !isMissing(deleted)) {
            throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, deleted.message());
        }
        removeLeftovers(id);
        runtimeOfContainer.remove(id);
    }

    @Override
    public void reset(String id) {
        Path dir = containerDir(id);
        if (!Files.isDirectory(dir)) {
            return;
        }
        stopMonitor(id);
        Path log = logFile(id);
        RotatingLog kept = new RotatingLog(log);
        // A conmon-era log stays too once the monitor writes the json-file one: it is the container's older history.
        RotatingLog conmonKept = new RotatingLog(dir.resolve(CONMON_LOG));
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.filter(e -> !kept.isPartOf(e) && !conmonKept.isPartOf(e)).toList()) {
                deleteTree(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (Files.notExists(kept.rotated(1)) && (!Files.exists(log) || Files.size(log) == 0)
                && Files.notExists(conmonKept.live())) {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<RecoveredContainer> recover() {
        List<RecoveredContainer> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(settings.containersDir())) {
            for (Path dir : dirs.sorted().toList()) {
                found.add(recover(dir.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private RecoveredContainer recover(String id) {
        Path exitFile = settings.exitDir().resolve(id);
        if (Files.exists(exitFile)) {
            return new RecoveredContainer(id, ContainerStatus.STOPPED, 0, Optional.of(readExit(id, exitFile)));
        }
        Optional<MonitorRecord> monitor = monitorRecord(id);
        OciRuntime runtime;
        try {
            runtime = runtimeOf(id);
        } catch (RuntimeFailure e) {
            // Its runtime was taken out of the configuration: the daemon still starts, and the container is what its
            // monitor says; every call to it then names the missing runtime.
            log.log(System.Logger.Level.WARNING, e.getMessage());
            return monitor.filter(m -> HostProcess.isMonitor(m, id))
                .map(m -> new RecoveredContainer(id, ContainerStatus.RUNNING, m.containerPid(), Optional.empty()))
                .orElseGet(() -> new RecoveredContainer(id, ContainerStatus.UNMONITORED, 0, Optional.empty()));
        }
        RuntimeCommand.Outcome outcome = runtime.command().run("state", id);
        if (monitor.isEmpty() || !HostProcess.isMonitor(monitor.get(), id)) {
            long pid = outcome.succeeded() ? state(id).pid() : 0;
            return new RecoveredContainer(id, ContainerStatus.UNMONITORED, pid, Optional.empty());
        }
        if (!outcome.succeeded()) {
            return new RecoveredContainer(id, ContainerStatus.UNMONITORED, 0, Optional.empty());
        }
        ContainerState state = state(id);
        if (state.status() == ContainerStatus.STOPPED) {
            // Exited a moment ago: the monitor is draining the log and about to write the exit file.
            try {
                ContainerExit exit = awaitExit(id).get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
                return new RecoveredContainer(id, ContainerStatus.STOPPED, 0, Optional.of(exit));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, "interrupted while recovering " + id);
            } catch (ExecutionException | TimeoutException e) {
                return new RecoveredContainer(id, ContainerStatus.UNMONITORED, 0, Optional.empty());
            }
        }
        logRotation.watch(logFile(id), MonitorControl.of(settings.socketDir(), id));
        return new RecoveredContainer(id, state.status(), state.pid(), Optional.empty());
    }

    @Override
    public Path logFile(String id) {
        // A container created under conmon keeps its k8s-file log until it runs again under keel-monitor, which
        // writes the json-file one; LogFiles tells the formats apart by name.
        Path conmonLog = containerDir(id).resolve(CONMON_LOG);
        return Files.exists(conmonLog) && Files.notExists(jsonLog(id)) ? conmonLog : jsonLog(id);
    }

    /** Docker's name for a json-file log, which keel-monitor writes. */
    private Path jsonLog(String id) {
        return containerDir(id).resolve(id + "-json.log");
    }

    @Override
    public void close() {
        stopTimers.shutdownNow();
        logRotation.close();
        exits.close();
    }

    private Path containerDir(String id) {
        if (id.isEmpty() || id.contains("/") || id.startsWith(".")) {
            throw noSuchContainer(id);
        }
        return settings.containersDir().resolve(id);
    }

    private ContainerExit readExit(String id, Path exitFile) {
        try {
            int code = Integer.parseInt(Files.readString(exitFile).trim());
            Instant at = Files.getLastModifiedTime(exitFile).toInstant();
            Path dir = containerDir(id);
            boolean oom = Files.exists(dir.resolve("persist/oom")) || Files.exists(dir.resolve("oom"));
            return new ContainerExit(code, at, oom);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<MonitorRecord> monitorRecord(String id) {
        try {
            return Optional.of(json.readValue(containerDir(id).resolve(MONITOR_RECORD).toFile(), MonitorRecord.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private boolean isAlive(String id) {
        RuntimeCommand.Outcome state = runtimeOf(id).command().run("state", id);
        return state.succeeded() && !state.stdout().contains("\"stopped\"");
    }

    /**
     * Removes everything a container leaves: runtime state and cgroups (runc delete), the monitor (it exits once
     * the container is gone), the exit file, the attach link and the container directory.
     */
    private void removeLeftovers(String id) {
        stopMonitor(id);
        deleteTree(containerDir(id));
    }

    /** Runtime state and cgroups (runc delete), the monitor (it exits once the container is gone), exit file, link. */
    private void stopMonitor(String id) {
        runtimeOf(id).command().run("delete", "--force", id);
        monitorRecord(id).filter(m -> HostProcess.isMonitor(m, id))
            .flatMap(m -> ProcessHandle.of(m.conmonPid()))
            .ifPresent(this::awaitMonitorExit);
        deleteQuietly(settings.socketDir().resolve(ContainerMonitor.attachName(id)));
        deleteQuietly(settings.exitDir().resolve(id));
    }

    private void awaitMonitorExit(ProcessHandle monitor) {
        try {
            monitor.onExit().get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A monitor that outlives its container by this long is stuck: kill it rather than leave it behind.
            monitor.destroyForcibly();
        }
    }

    /**
     * The runtime container {@code id} was created with.
     *
     * @throws RuntimeFailure {@code UNSUPPORTED_RUNTIME} when this daemon no longer offers it
     */
    private OciRuntime runtimeOf(String id) {
        OciRuntime known = runtimeOfContainer.get(id);
        if (known != null) {
            return known;
        }
        String name;
        try {
            name = Files.readString(containerDir(id).resolve(RUNTIME_RECORD)).trim();
        } catch (NoSuchFileException e) {
            name = settings.defaultRuntime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OciRuntime runtime = runtimes.get(name);
        if (runtime == null) {
            throw new RuntimeFailure(RuntimeFailure.Reason.UNSUPPORTED_RUNTIME, "container " + id
                + " was created with runtime " + name + ", which this daemon does not offer: add it again "
                + "(--add-runtime " + name + "=PATH) to reach the container");
        }
        runtimeOfContainer.put(id, runtime);
        return runtime;
    }

    private void check(String id, RuntimeCommand.Outcome outcome) {
        if (outcome.succeeded()) {
            return;
        }
        if (isMissing(outcome)) {
            throw noSuchContainer(id);
        }
        throw new RuntimeFailure(RuntimeFailure.Reason.RUNTIME_FAILED, outcome.message());
    }

    private static boolean isMissing(RuntimeCommand.Outcome outcome) {
        return outcome.message().contains("does not exist");
    }

    private static RuntimeFailure noSuchContainer(String id) {
        return new RuntimeFailure(RuntimeFailure.Reason.NO_SUCH_CONTAINER, "No such container: " + id);
    }

    private static ProcessUser userOf(JsonNode user) {
        List<Integer> gids = new ArrayList<>();
        user.path("additionalGids").forEach(g -> gids.add(g.asInt()));
        return new ProcessUser(user.path("uid").asInt(), user.path("gid").asInt(), gids, "/");
    }

    /** The container's environment with the exec's entries added, replacing those with the same key. */
    private static List<String> mergeEnv(JsonNode containerEnv, List<String> execEnv) {
        Map<String, String> merged = new LinkedHashMap<>();
        containerEnv.forEach(e -> merged.put(key(e.asText()), e.asText()));
        execEnv.forEach(e -> merged.put(key(e), e));
        return List.copyOf(merged.values());
    }

    private static String key(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
