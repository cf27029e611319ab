package dev.keel.actors.container;

import dev.keel.actors.Confirmation;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.os.monitor.ExecMonitor;
import dev.keel.os.monitor.MonitorControl;
import dev.keel.os.monitor.MonitorFailure;
import dev.keel.os.runtime.ContainerRuntime;
import dev.keel.os.runtime.ExecSpec;
import dev.keel.os.runtime.RuntimeFailure;
import dev.keel.os.runtime.RuntimeSettings;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Execs} on this host: each started instance runs under a monitor of its own in exec mode (CONMON_RECIPE §10),
 * which records its exit code; an attached one serves its stdio on the session's attach socket, connected before the
 * process runs so no output is lost. The instance id is the session id, so the session's attach socket and control
 * FIFO are found by it.
 *
 * <p>Threads: preparing and starting a session block for the runtime's few milliseconds, on the containers' host
 * executor; waiting for an exec's end blocks for as long as it runs, on a thread of its own per exec.
 */
public final class LocalExecs implements Execs {

    private static final Logger log = LoggerFactory.getLogger(LocalExecs.class);
    /** Docker's exit codes of an exec that could not start. */
    private static final int CANNOT_EXECUTE = 126;
    private static final int COMMAND_NOT_FOUND = 127;
    private static final Pattern LOGRUS_MESSAGE = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Containers containers;
    /** Where the sessions' facts are recorded, on their container's entity. */
    private final ContainerDirectory directory;
    private final ContainerRuntime runtime;
    private final RuntimeSettings runtimeSettings;
    private final Executor host;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();

    /** One exec instance; its fields change together, under its lock. */
    private static final class Instance {
        final String execId;
        final String containerId;
        final ExecRequest request;
        private boolean started;
        private boolean running;
        private long pid;
        private Integer exitCode;
        /** The recording of this session's facts so far: each is recorded after the one before. */
        private CompletionStage<?> recorded = CompletableFuture.completedFuture(null);

        Instance(String execId, String containerId, ExecRequest request) {
            this.execId = execId;
            this.containerId = containerId;
            this.request = request;
        }

        synchronized ExecState state() {
            return new ExecState(execId, containerId, request, running, pid, Optional.ofNullable(exitCode));
        }

        /** Claims the one start; refused when the instance runs or ran. */
        synchronized void claimStart() {
            if (exitCode != null) {
                throw new EngineFailure(Rejection.CONFLICT, "Error: Exec command " + execId + " has already run");
            }
            if (started) {
                throw new EngineFailure(Rejection.CONFLICT, "Error: Exec command " + execId + " is already running");
            }
            started = true;
        }

        synchronized void running(long processId) {
            running = true;
            pid = processId;
        }

        synchronized void ended(int code) {
            running = false;
            exitCode = code;
        }

        synchronized boolean isRunning() {
            return running;
        }
    }

    LocalExecs(Containers containers, ContainerDirectory directory, ContainerRuntime runtime,
               RuntimeSettings runtimeSettings, Executor host, Clock clock) {
        this.containers = containers;
        this.directory = directory;
        this.runtime = runtime;
        this.runtimeSettings = runtimeSettings;
        this.host = host;
        this.clock = clock;
    }

    @Override
    public CompletionStage<String> create(String containerRef, ExecRequest request) {
        if (request.cmd().isEmpty()) {
            return CompletableFuture.failedFuture(new EngineFailure(Rejection.INVALID_ARGUMENT, "No exec command specified"));
        }
        if (!request.workingDir().isEmpty() && !request.workingDir().startsWith("/")) {
            return CompletableFuture.failedFuture(new EngineFailure(Rejection.INVALID_ARGUMENT,
                    "the working directory '" + request.workingDir() + "' is invalid, it needs to be an absolute path"));
        }
        return containers.inspect(containerRef).thenCompose(state -> {
            requireRunning(state);
            String execId = newId();
            return directory.record(state.containerId(), r -> new ContainerEntity.CreateExec(execId, request.cmd(), r))
                    .thenApply(recorded -> {
                        instances.put(execId, new Instance(execId, state.containerId(), request));
                        return execId;
                    });
        });
    }

    @Override
    public CompletionStage<ExecState> inspect(String execId) {
        return find(execId).thenApply(Instance::state);
    }

    @Override
    public CompletionStage<Containers.Attachment> startAttached(String execId) {
        return claimed(execId).thenCompose(instance -> onHost(() -> {
            ExecRequest r = instance.request;
            ExecMonitor session;
            try {
                session = runtime.prepareExec(instance.containerId, execId, specOf(r), r.tty(), r.attachStdin(), true);
            } catch (RuntimeFailure e) {
                return cannotStart(instance, e.getMessage());
            }
            Containers.Attachment attachment;
            try {
                attachment = ContainerAttachments.attach(runtimeSettings, execId, r.tty(), r.attachStdin());
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            long pid;
            try {
                pid = session.start();
            } catch (MonitorFailure e) {
                String message = runtimeMessage(e.getMessage());
                return new EndedAttachment(attachment, errorLine(message), recordFailure(instance, message));
            }
            started(instance, pid);
            return new EndedAttachment(attachment, List.of(), awaitEnd(instance, session));
        }));
    }

    @Override
    public CompletionStage<ExecState> startDetached(String execId) {
        return claimed(execId).thenCompose(instance -> onHost(() -> {
            ExecRequest r = instance.request;
            try {
                ExecMonitor session = runtime.prepareExec(instance.containerId, execId, specOf(r), r.tty(), false, false);
                started(instance, session.start());
                awaitEnd(instance, session);
                return instance.state();
            } catch (RuntimeFailure | MonitorFailure e) {
                String message = runtimeMessage(e.getMessage());
                recordFailure(instance, message);
                Rejection reason = e instanceof RuntimeFailure f && f.reason() == RuntimeFailure.Reason.INVALID_SPEC
                        ? Rejection.INVALID_ARGUMENT : Rejection.HOST_FAILURE;
                throw new EngineFailure(reason, message, e);
            }
        }));
    }

    @Override
    public CompletionStage<ExecState> resize(String execId, int height, int width) {
        return find(execId).thenCompose(instance -> onHost(() -> {
            if (instance.request.tty() && instance.isRunning()) {
                try {
                    MonitorControl.of(runtimeSettings.socketDir(), execId).resize(height, width);
                } catch (MonitorFailure e) {
                    log.debug("resize of exec {} not delivered: {}", execId, e.getMessage());
                }
            }
            return instance.state();
        }));
    }

    /** Forgets the instances of a removed container, as dockerd does. */
    void forget(String containerId) {
        instances.values().removeIf(instance -> instance.containerId.equals(containerId));
    }

    /** The instance, its one start claimed, once its container is found running. */
    private CompletionStage<Instance> claimed(String execId) {
        return find(execId).thenCompose(instance -> containers.inspect(instance.containerId).thenApply(state -> {
            requireRunning(state);
            instance.claimStart();
            return instance;
        }));
    }

    private CompletionStage<Instance> find(String execId) {
        Instance instance = instances.get(execId);
        if (instance == null) {
            return CompletableFuture.failedFuture(new EngineFailure(Rejection.NOT_FOUND, "No such exec instance: " + execId));
        }
        return CompletableFuture.completedFuture(instance);
    }

    private static void requireRunning(ContainerEntity.State state) {
        if (state.isPaused()) {
            throw new EngineFailure(Rejection.CONFLICT, "Container " + state.containerId()
                    + " is paused, unpause the container before exec");
        }
        if (!state.isRunning()) {
            throw new EngineFailure(Rejection.CONFLICT, "Container " + state.containerId() + " is not running");
        }
    }

    private static ExecSpec specOf(ExecRequest r) {
        return new ExecSpec(r.cmd(), r.env(), r.user(), r.workingDir());
    }

    /** Waits for the session's end on a thread of its own and records the exit code; completes with it. */
    private CompletableFuture<Integer> awaitEnd(Instance instance, ExecMonitor session) {
        CompletableFuture<Integer> ended = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            int code;
            try {
                code = session.awaitExit();
            } catch (RuntimeException e) {
                log.warn("the end of exec {} was not seen: {}", instance.execId, e.getMessage());
                code = CANNOT_EXECUTE;
            }
            int exitCode = code;
            // The end is told once recorded, so that a client that saw it finds it in the history too.
            ended(instance, code).thenRun(() -> ended.complete(exitCode));
        }, "exec-" + instance.execId.substring(0, 12));
        waiter.setDaemon(true);
        waiter.start();
        return ended;
    }

    /** Docker's answer to an attached exec whose process cannot be made: the message on stdout, exit 126 or 127. */
    private EndedAttachment cannotStart(Instance instance, String message) {
        return new EndedAttachment(null, errorLine(message), recordFailure(instance, message));
    }

    private CompletableFuture<Integer> recordFailure(Instance instance, String message) {
        String m = message == null ? "" : message.toLowerCase();
        int code = m.contains("not found") || m.contains("no such file") ? COMMAND_NOT_FOUND : CANNOT_EXECUTE;
        return ended(instance, code).thenApply(recorded -> code).toCompletableFuture();
    }

    private void started(Instance instance, long pid) {
        instance.running(pid);
        record(instance, r -> new ContainerEntity.StartExec(instance.execId, instance.request.cmd(), r));
    }

    private CompletionStage<?> ended(Instance instance, int code) {
        instance.ended(code);
        return record(instance, r -> new ContainerEntity.ReportExecExit(instance.execId, code, r));
    }

    /**
     * Records a fact of the session after those before it; completes once it is recorded or refused. A refusal (a
     * container removed meanwhile) is logged, not the session's failure: its process started or ended all the same.
     */
    private CompletionStage<?> record(Instance instance, Function<ActorRef<Confirmation>, ContainerEntity.Command> fact) {
        synchronized (instance) {
            instance.recorded = instance.recorded
                    .thenCompose(before -> directory.record(instance.containerId, fact))
                    .exceptionally(failure -> {
                        log.warn("exec {} of container {}: a fact was not recorded: {}", instance.execId,
                                instance.containerId, failure.getMessage());
                        return null;
                    });
            return instance.recorded;
        }
    }

    /** Docker's wording of a runtime's refusal: the last logrus {@code msg="…"} of runc's output, if it has one. */
    static String runtimeMessage(String raw) {
        String text = raw == null ? "" : raw;
        Matcher m = LOGRUS_MESSAGE.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return "OCI runtime exec failed: " + (last != null ? last : text.trim());
    }

    private List<Containers.LogLine> errorLine(String message) {
        return List.of(new Containers.LogLine(Containers.LogStream.STDOUT, clock.instant(),
                (message + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * An exec's attachment whose output ends only once the exit code is recorded: a client inspects the instance as
     * soon as the stream closes. {@code first} goes before the process's own output (a start failure's message);
     * without an attachment there is nothing else.
     */
    private record EndedAttachment(Containers.Attachment attachment, List<Containers.LogLine> first,
                                   CompletableFuture<Integer> exitRecorded) implements Containers.Attachment {

        @Override
        public Source<Containers.LogLine, NotUsed> output() {
            Source<Containers.LogLine, NotUsed> own = attachment == null ? Source.empty() : attachment.output();
            return Source.from(first)
                    .concat(own)
                    .concat(Source.completionStage(exitRecorded.thenApply(code -> List.<Containers.LogLine>of()))
                            .mapConcat(none -> none));
        }

        @Override
        public Sink<ByteString, NotUsed> input() {
            return attachment == null
                    ? Sink.<ByteString>ignore().mapMaterializedValue(done -> NotUsed.getInstance())
                    : attachment.input();
        }

        @Override
        public void resize(int height, int width) {
            if (attachment != null) {
                attachment.resize(height, width);
            }
        }
    }

    private <T> CompletionStage<T> onHost(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, host);
    }

    private String newId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
