package dev.keel.httpapi.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.ContainerResources;
import dev.keel.actors.container.Containers;
import dev.keel.actors.container.RestartPolicy;
import dev.keel.actors.network.Networks.ContainerEndpoint;
import dev.keel.httpapi.route.ApiVersion;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API's container JSON (v1.41 shapes) to and from the domain: create and update bodies, query parameters,
 * {@code ContainerSummary}, {@code ContainerInspectResponse}, wait results and the framing of logs. Every fault of the
 * client is an {@code INVALID_ARGUMENT} whose message names the field.
 */
public final class ContainerCodec {

    /** Go's zero time, which Docker prints for a time not reached yet. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final Pattern UNIX_TIME = Pattern.compile("(-?\\d+)(?:\\.(\\d{1,9}))?");
    private static final ApiVersion MULTIPLEXED_SINCE = new ApiVersion(1, 42);
    private static final ContentType RAW_STREAM = ContentTypes.create(
            MediaTypes.customBinary("application", "vnd.docker.raw-stream", false));
    private static final ContentType MULTIPLEXED_STREAM = ContentTypes.create(
            MediaTypes.customBinary("application", "vnd.docker.multiplexed-stream", false));
    /** Stream numbers of Docker's multiplexed frames. */
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte SYSTEM_ERROR = 3;
    private static final Pattern BIND = Pattern.compile("([^:]+):([^:]+)(?::([^:]*))?");

    private ContainerCodec() {
    }

    /** What {@code POST /containers/{id}/update} asks, already merged with the container's current values. */
    public record Update(ContainerResources resources, RestartPolicy restartPolicy) {}

    // --- requests ---------------------------------------------------------------------------------------------------

    /**
     * {@code POST /containers/create}: Config at the top level with HostConfig and NetworkingConfig inside.
     * Cmd and Entrypoint take a string or an array, as Docker's StrSlice.
     */
    public static Containers.CreateRequest decodeCreate(String name, byte[] body) {
        JsonFields config = JsonFields.root(body, "the container's Config");
        String image = config.text("Image");
        if (image.isEmpty()) {
            throw invalid("Config.Image is required: the image to create the container from");
        }
        JsonFields host = config.object("HostConfig");
        ContainerConfig decoded = new ContainerConfig(
                config.strings("Cmd", true),
                config.strings("Entrypoint", true),
                config.strings("Env", false),
                config.text("WorkingDir"),
                config.text("User"),
                config.text("Hostname"),
                config.stringMap("Labels"),
                config.bool("Tty"),
                config.bool("OpenStdin"),
                config.text("StopSignal"),
                restartPolicy(host.object("RestartPolicy")),
                new ContainerResources(host.integer("Memory"), host.integer("MemorySwap"), host.integer("NanoCpus"),
                        host.integer("CpuShares"), Math.max(0, host.integer("PidsLimit"))),
                host.bool("AutoRemove"),
                host.text("NetworkMode"),
                host.strings("Binds", false),
                config.keys("ExposedPorts"),
                ContainerNetworkCodec.portBindings(host),
                host.bool("PublishAllPorts"),
                ContainerNetworkCodec.endpoints(config),
                host.strings("Dns", false),
                host.strings("DnsSearch", false),
                host.strings("DnsOptions", false),
                host.strings("ExtraHosts", false),
                ContainerMountCodec.decode(config, host),
                host.strings("VolumesFrom", false),
                host.text("VolumeDriver"),
                host.text("Runtime"));
        return new Containers.CreateRequest(name, image, decoded);
    }

    /**
     * {@code POST /containers/{id}/update}: Docker's update changes only what the client set. A zero limit means "not
     * set" (the CLI sends every field), PidsLimit only when present, a restart policy only with a name.
     */
    public static Update decodeUpdate(byte[] body, State current) {
        JsonFields update = JsonFields.root(body, "the resources to update");
        ContainerResources now = current.config().resources();
        ContainerResources resources = new ContainerResources(
                orCurrent(update.integer("Memory"), now.memoryBytes()),
                orCurrent(update.integer("MemorySwap"), now.memorySwapBytes()),
                orCurrent(update.integer("NanoCpus"), now.nanoCpus()),
                orCurrent(update.integer("CpuShares"), now.cpuShares()),
                update.has("PidsLimit") ? Math.max(0, update.integer("PidsLimit")) : now.pidsLimit());
        JsonFields policy = update.object("RestartPolicy");
        RestartPolicy restartPolicy = policy.text("Name").isEmpty() ? current.config().restartPolicy()
                : restartPolicy(policy);
        return new Update(resources, restartPolicy);
    }

    private static long orCurrent(long requested, long current) {
        return requested != 0 ? requested : current;
    }

    private static RestartPolicy restartPolicy(JsonFields policy) {
        long retries = policy.integer("MaximumRetryCount");
        if (retries > Integer.MAX_VALUE || retries < Integer.MIN_VALUE) {
            throw invalid("invalid restart policy: maximum retry count " + retries + " is out of range");
        }
        return new RestartPolicy(restartMode(policy.text("Name")), (int) retries);
    }

    static RestartPolicy.Mode restartMode(String name) {
        return switch (name) {
            case "", "no" -> RestartPolicy.Mode.NO;
            case "always" -> RestartPolicy.Mode.ALWAYS;
            case "unless-stopped" -> RestartPolicy.Mode.UNLESS_STOPPED;
            case "on-failure" -> RestartPolicy.Mode.ON_FAILURE;
            default -> throw invalid("invalid restart policy '" + name
                    + "': use one of no, always, unless-stopped, on-failure");
        };
    }

    static String restartName(RestartPolicy.Mode mode) {
        return switch (mode) {
            case NO -> "no";
            case ALWAYS -> "always";
            case UNLESS_STOPPED -> "unless-stopped";
            case ON_FAILURE -> "on-failure";
        };
    }

    /** Docker's boolean query parameters: absent, empty, "0", "no", "false" and "none" are false, the rest true. */
    public static boolean flag(Optional<String> value) {
        String v = value.map(s -> s.trim().toLowerCase(Locale.ROOT)).orElse("");
        return !(v.isEmpty() || v.equals("0") || v.equals("no") || v.equals("false") || v.equals("none"));
    }

    /** An integer query parameter; absent or empty gives {@code absent}. */
    public static long integer(String parameter, Optional<String> value, long absent) {
        String v = value.map(String::trim).orElse("");
        if (v.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid("invalid value for " + parameter + ": '" + v + "' is not an integer");
        }
    }

    /**
     * The {@code t} of stop and restart: seconds to wait before the kill, negative for ever (Docker's -1); absent
     * leaves the container's own.
     */
    public static Optional<Duration> stopTimeout(Optional<String> t) {
        String v = t.map(String::trim).orElse("");
        return v.isEmpty() ? Optional.empty() : Optional.of(Duration.ofSeconds(integer("t", t, 0)));
    }

    public static Containers.WaitCondition waitCondition(Optional<String> condition) {
        return switch (condition.orElse("")) {
            case "", "not-running" -> Containers.WaitCondition.NOT_RUNNING;
            case "next-exit" -> Containers.WaitCondition.NEXT_EXIT;
            case "removed" -> Containers.WaitCondition.REMOVED;
            default -> throw invalid("invalid condition: '" + condition.get()
                    + "', use one of not-running, next-exit, removed");
        };
    }

    /**
     * The query of {@code GET /containers/{id}/logs}. {@code since} and {@code until} are unix seconds with an optional
     * fraction, 0 or absent meaning open; {@code tail} is "all" or a count.
     */
    public static Containers.LogQuery logQuery(Optional<String> stdout, Optional<String> stderr, Optional<String> since,
                                               Optional<String> until, Optional<String> tail, Optional<String> follow) {
        if (!flag(stdout) && !flag(stderr)) {
            throw invalid("You must choose at least one stream");
        }
        Instant from = unixTime("since", since, Instant.MIN);
        Instant to = unixTime("until", until, Instant.MAX);
        String lines = tail.map(String::trim).orElse("");
        int count;
        if (lines.isEmpty() || lines.equals("all")) {
            count = -1;
        } else {
            long n = integer("tail", Optional.of(lines), -1);
            count = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, n));
        }
        return new Containers.LogQuery(flag(stdout), flag(stderr), from, to, count, flag(follow));
    }

    static Instant unixTime(String parameter, Optional<String> value, Instant open) {
        String v = value.map(String::trim).orElse("");
        if (v.isEmpty()) {
            return open;
        }
        Matcher m = UNIX_TIME.matcher(v);
        if (!m.matches()) {
            throw invalid("invalid value for " + parameter + ": '" + v + "', expected unix seconds with an optional fraction");
        }
        long seconds = Long.parseLong(m.group(1));
        long nanos = m.group(2) == null ? 0 : Long.parseLong((m.group(2) + "00000000").substring(0, 9));
        return seconds == 0 && nanos == 0 ? open : Instant.ofEpochSecond(seconds, nanos);
    }

    // --- responses --------------------------------------------------------------------------------------------------

    public static ObjectNode created(Containers.Created created) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("Id", created.containerId());
        ArrayNode warnings = out.putArray("Warnings");
        created.warnings().forEach(warnings::add);
        return out;
    }

    /** One entry of {@code GET /containers/json}. */
    public static ObjectNode summary(State s, Map<String, ContainerEndpoint> endpoints, Function<String, String> networkName,
                                     Instant now) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Id", s.containerId());
        out.putArray("Names").add(s.name());
        out.put("Image", s.imageRef());
        out.put("ImageID", imageId(s.imageId()));
        out.put("Command", String.join(" ", command(s.config())));
        out.put("Created", s.createdAt().getEpochSecond());
        out.set("Ports", ContainerNetworkCodec.summaryPorts(s, endpoints));
        out.set("Labels", stringMap(s.config().labels()));
        out.put("State", stateName(s));
        out.put("Status", status(s, now));
        out.putObject("HostConfig").put("NetworkMode", networkMode(s.config()));
        out.putObject("NetworkSettings").set("Networks", ContainerNetworkCodec.networks(s,
                s.isRunning() || s.isPaused() ? endpoints : Map.of(), networkName));
        out.set("Mounts", ContainerMountCodec.mountPoints(s.config()));
        return out;
    }

    /** {@code GET /containers/{id}/json}, with every key the templates of both docker CLIs read. */
    public static ObjectNode inspect(State s, Map<String, ContainerEndpoint> endpoints, Function<String, String> networkName,
                                     String sandboxKey, String logPath) {
        ContainerConfig c = s.config();
        List<String> command = command(c);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Id", s.containerId());
        out.put("Created", rfc3339Nano(s.createdAt()));
        out.put("Path", command.isEmpty() ? "" : command.get(0));
        ArrayNode args = out.putArray("Args");
        command.stream().skip(1).forEach(args::add);
        ObjectNode state = out.putObject("State");
        state.put("Status", stateName(s));
        state.put("Running", s.isRunning() || s.isPaused());
        state.put("Paused", s.isPaused());
        state.put("Restarting", false);
        state.put("OOMKilled", s.oomKilled());
        state.put("Dead", false);
        state.put("Pid", s.isRunning() || s.isPaused() ? s.pid() : 0);
        state.put("ExitCode", s.exitCode());
        state.put("Error", "");
        state.put("StartedAt", rfc3339Nano(s.startedAt()));
        state.put("FinishedAt", rfc3339Nano(s.finishedAt()));
        out.put("Image", imageId(s.imageId()));
        out.put("ResolvConfPath", "");
        out.put("HostnamePath", "");
        out.put("HostsPath", "");
        out.put("LogPath", logPath);
        out.put("Name", s.name());
        out.put("RestartCount", s.restartCount());
        out.put("Driver", "overlay2");
        out.put("Platform", "linux");
        out.put("MountLabel", "");
        out.put("ProcessLabel", "");
        out.put("AppArmorProfile", "");
        out.putNull("ExecIDs");
        out.set("HostConfig", hostConfig(c));
        ObjectNode graphDriver = out.putObject("GraphDriver");
        graphDriver.put("Name", "overlay2");
        graphDriver.putObject("Data");
        out.set("Mounts", ContainerMountCodec.mountPoints(c));
        out.set("Config", config(s));
        out.set("NetworkSettings", ContainerNetworkCodec.settings(s, endpoints, networkName, sandboxKey));
        return out;
    }

    private static ObjectNode hostConfig(ContainerConfig c) {
        ObjectNode host = Json.MAPPER.createObjectNode();
        host.set("Binds", c.binds().isEmpty() ? host.nullNode() : strings(c.binds()));
        host.put("NetworkMode", networkMode(c));
        ContainerNetworkCodec.hostConfig(host, c);
        ObjectNode restart = host.putObject("RestartPolicy");
        restart.put("Name", restartName(c.restartPolicy().mode()));
        restart.put("MaximumRetryCount", c.restartPolicy().maximumRetryCount());
        host.put("AutoRemove", c.autoRemove());
        host.put("Runtime", c.runtime());
        ContainerResources r = c.resources();
        host.put("Memory", r.memoryBytes());
        host.put("MemorySwap", r.memorySwapBytes());
        host.put("NanoCpus", r.nanoCpus());
        host.put("CpuShares", r.cpuShares());
        host.put("PidsLimit", r.pidsLimit());
        host.put("Privileged", false);
        host.put("ReadonlyRootfs", false);
        return host;
    }

    private static ObjectNode config(State s) {
        ContainerConfig c = s.config();
        ObjectNode config = Json.MAPPER.createObjectNode();
        // Docker names a container's host after the start of its id when the client gave no hostname.
        config.put("Hostname", c.hostname().isEmpty() ? s.containerId().substring(0, Math.min(12, s.containerId().length()))
                : c.hostname());
        config.put("Domainname", "");
        config.put("User", c.user());
        config.put("AttachStdin", false);
        config.put("AttachStdout", false);
        config.put("AttachStderr", false);
        if (!c.exposedPorts().isEmpty()) {
            ObjectNode ports = config.putObject("ExposedPorts");
            c.exposedPorts().forEach(port -> ports.putObject(port));
        }
        config.put("Tty", c.tty());
        config.put("OpenStdin", c.openStdin());
        config.put("StdinOnce", false);
        config.set("Env", strings(c.env()));
        config.set("Cmd", c.cmd().isEmpty() ? config.nullNode() : strings(c.cmd()));
        config.put("Image", s.imageRef());
        config.putNull("Volumes");
        config.put("WorkingDir", c.workingDir());
        config.set("Entrypoint", c.entrypoint().isEmpty() ? config.nullNode() : strings(c.entrypoint()));
        config.putNull("OnBuild");
        config.set("Labels", stringMap(c.labels()));
        if (!c.stopSignal().isEmpty()) {
            config.put("StopSignal", c.stopSignal());
        }
        return config;
    }

    /** Keel attaches no networks yet: the shape both CLIs read, empty. */
    /** Docker's {@code MountPoint}s of the binds: "src:dst[:mode]", a source that is not a path being a volume. */
    static ArrayNode mounts(List<String> binds) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (String bind : binds) {
            Matcher m = BIND.matcher(bind);
            if (!m.matches()) {
                continue;
            }
            String mode = m.group(3) == null ? "" : m.group(3);
            boolean volume = !m.group(1).startsWith("/");
            ObjectNode mount = out.addObject();
            mount.put("Type", volume ? "volume" : "bind");
            if (volume) {
                mount.put("Name", m.group(1));
            }
            mount.put("Source", volume ? "" : m.group(1));
            mount.put("Destination", m.group(2));
            mount.put("Mode", mode);
            mount.put("RW", !List.of(mode.split(",")).contains("ro"));
            mount.put("Propagation", volume ? "" : "rprivate");
        }
        return out;
    }

    /** The entrypoint followed by the command: what the container runs. */
    static List<String> command(ContainerConfig c) {
        List<String> command = new ArrayList<>(c.entrypoint());
        command.addAll(c.cmd());
        return command;
    }

    private static String networkMode(ContainerConfig c) {
        return c.networkMode().isEmpty() ? "default" : c.networkMode();
    }

    static String imageId(String id) {
        return id.isEmpty() || id.startsWith("sha256:") ? id : "sha256:" + id;
    }

    /** Docker's one-word state: what {@code ps} filters on with {@code status=}. */
    static String stateName(State s) {
        return switch (s.status()) {
            case NEW, CREATED -> "created";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case EXITED -> "exited";
            case REMOVED -> "removing";
        };
    }

    /** Docker's human wording of a container's state: "Up 3 seconds", "Exited (0) 5 minutes ago", "Created". */
    public static String status(State s, Instant now) {
        return switch (s.status()) {
            case RUNNING -> "Up " + humanDuration(Duration.between(s.startedAt(), now));
            case PAUSED -> "Up " + humanDuration(Duration.between(s.startedAt(), now)) + " (Paused)";
            case NEW, CREATED -> "Created";
            case EXITED -> s.startedAt().equals(Instant.EPOCH) ? "Created"
                    : "Exited (" + s.exitCode() + ") " + humanDuration(Duration.between(s.finishedAt(), now)) + " ago";
            case REMOVED -> "Removal In Progress";
        };
    }

    /** go-units' HumanDuration, the wording of {@code docker ps}. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toNanos() / 3.6e12);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }

    /** Go's RFC3339Nano (fraction without trailing zeros), Go's zero time for a time not reached. */
    public static String rfc3339Nano(Instant t) {
        if (t.equals(Instant.EPOCH)) {
            return ZERO_TIME;
        }
        String seconds = SECONDS.format(t);
        if (t.getNano() == 0) {
            return seconds + "Z";
        }
        return seconds + "." + String.format("%09d", t.getNano()).replaceAll("0+$", "") + "Z";
    }

    /** The body that ends a wait: the exit code, or Docker's error object when the wait itself failed. */
    public static ByteString waitResult(Containers.Exit exit) {
        return ByteString.fromString("{\"StatusCode\":" + exit.exitCode() + ",\"Error\":null}\n");
    }

    public static ByteString waitFailure(String message) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("StatusCode", -1);
        out.putObject("Error").put("Message", message);
        return ByteString.fromString(out + "\n");
    }

    public static ObjectNode pruned(List<String> containerIds) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode deleted = out.putArray("ContainersDeleted");
        containerIds.forEach(deleted::add);
        out.put("SpaceReclaimed", 0);
        return out;
    }

    /**
     * One log line as Docker sends it: raw for a TTY, else behind the 8-byte header {@code [stream, 0, 0, 0, size]}
     * (size big-endian); with {@code timestamps}, the line starts with its RFC3339Nano time (9 digits) and a space.
     */
    public static ByteString logFrame(Containers.LogLine line, boolean tty, boolean timestamps) {
        ByteString content = ByteString.fromArray(line.content());
        ByteString payload = timestamps ? ByteString.fromString(fixedNano(line.time()) + " ").concat(content) : content;
        return tty ? payload : framed(line.stream() == Containers.LogStream.STDERR ? STDERR : STDOUT, payload);
    }

    /** Docker's in-band error of a log read that failed after the stream began. */
    public static ByteString logFailure(String message, boolean tty) {
        ByteString text = ByteString.fromString("Error grabbing logs: " + message + "\n", StandardCharsets.UTF_8);
        return tty ? text : framed(SYSTEM_ERROR, text);
    }

    private static ByteString framed(byte stream, ByteString payload) {
        int size = payload.size();
        byte[] header = {stream, 0, 0, 0, (byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size};
        return ByteString.fromArray(header).concat(payload);
    }

    /**
     * The content type of a log stream: raw bytes with a TTY; multiplexed frames are typed as such from API 1.42 on
     * and as a raw stream before (what 20.10's clients were given).
     */
    public static ContentType logContentType(ApiVersion version, boolean tty) {
        return !tty && !version.isBefore(MULTIPLEXED_SINCE) ? MULTIPLEXED_STREAM : RAW_STREAM;
    }

    private static String fixedNano(Instant t) {
        return SECONDS.format(t) + "." + String.format("%09d", t.getNano()) + "Z";
    }

    private static ObjectNode stringMap(Map<String, String> map) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        new TreeMap<>(map).forEach(out::put);
        return out;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
