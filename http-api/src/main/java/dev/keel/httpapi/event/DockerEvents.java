package dev.keel.httpapi.event;

import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.history.History;
import dev.keel.actors.image.ImageEntity;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.volume.VolumeEntity;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Recorded domain events as Docker's event messages (Engine API 1.41 {@code EventMessage}), with what dockerd emits
 * for the same change: a stop is {@code kill}, {@code die}, {@code stop}; a restart by the restart policy
 * ({@code Restarted}) {@code start}, as dockerd's; the forced removal of a running container {@code kill}, {@code die},
 * {@code destroy}; an OOM-killed exit {@code oom} then {@code die}; a user's kill ({@code Signalled}) {@code kill} with
 * the signal's number, its exit following as {@code die}; a user's restart its stop (if it was running) and start,
 * then {@code restart} ({@code RestartedByUser}). A stop's {@code kill} comes from {@code Stopped} alone: a stop
 * records no {@code Signalled}. Host and name events are not Docker events and map to nothing.
 *
 * <p>Container messages carry the container's name, image (the reference as given) and labels, which the events
 * themselves do not repeat: one instance follows one stream and learns them from each container's {@code Created}
 * and {@code Renamed}. A stream that starts mid-history must {@link #learn} a container it has not met
 * ({@link #needsContainer}) before mapping its events. Not thread-safe: one instance per stream.
 */
public final class DockerEvents {

    /** One Docker event message; {@code attributes} sorted by key, as Go writes a map. */
    public record Message(String type, String action, String actorId, SortedMap<String, String> attributes,
                          Instant time, long offset) {

        /** The legacy {@code status}/{@code id}/{@code from} fields exist for container and image events only. */
        public boolean hasLegacyFields() {
            return CONTAINER.equals(type) || IMAGE.equals(type);
        }
    }

    public static final String CONTAINER = "container";
    public static final String IMAGE = "image";
    public static final String NETWORK = "network";
    public static final String VOLUME = "volume";

    /** What a container's messages carry that its later events do not repeat. */
    private record ContainerFacts(SortedMap<String, String> attributes, String stopSignal, boolean running) {

        ContainerFacts withRunning(boolean nowRunning) {
            return new ContainerFacts(attributes, stopSignal, nowRunning);
        }
    }

    private static final ContainerFacts UNKNOWN_CONTAINER =
            new ContainerFacts(Collections.emptySortedMap(), "", false);

    /** Linux's signal numbers by name, as dockerd writes a kill event's {@code signal}. */
    private static final Map<String, Integer> SIGNAL_NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
            Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13),
            Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17),
            Map.entry("CLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19), Map.entry("TSTP", 20),
            Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28),
            Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    private final Map<String, ContainerFacts> containers = new HashMap<>();
    private final Map<String, Map<String, String>> imageLabels = new HashMap<>();
    /** Each network's name and driver, from its creation: Docker puts both on every network event. */
    private final Map<String, NetworkSpec> networkSpecs = new HashMap<>();
    private final Map<String, String> volumeDrivers = new HashMap<>();

    /** True when {@code recorded} is about a container this instance has not met, whose facts it needs. */
    public boolean needsContainer(History.Recorded recorded) {
        return recorded.event() instanceof ContainerEntity.Event event
                && !(event instanceof ContainerEntity.Created)
                && !containers.containsKey(event.containerId());
    }

    /** Learns a container's facts from its current state (for a stream that starts after its creation). */
    public void learn(ContainerEntity.State state) {
        containers.put(state.containerId(), new ContainerFacts(
                containerAttributes(state.name(), state.imageRef(), state.config().labels()),
                state.config().stopSignal(), state.isRunning() || state.isPaused()));
    }

    /** Remembers that a container's facts cannot be known any more (it was removed): its messages go without them. */
    public void learnUnknown(String containerId) {
        containers.put(containerId, UNKNOWN_CONTAINER);
    }

    /** The messages Docker emits for {@code recorded}, in order; empty for events Docker has no word for. */
    public List<Message> map(History.Recorded recorded) {
        Object event = recorded.event();
        if (event instanceof ContainerEntity.Event e) {
            return container(e, recorded.offset());
        }
        if (event instanceof ImageEntity.Event e) {
            return image(e, recorded.offset());
        }
        if (event instanceof NetworkEntity.Event e) {
            return network(e, recorded.offset());
        }
        if (event instanceof VolumeEntity.Event e) {
            return volume(e, recorded.offset());
        }
        return List.of();
    }

    private List<Message> container(ContainerEntity.Event event, long offset) {
        String id = event.containerId();
        Instant at = event.at();
        if (event instanceof ContainerEntity.Created created) {
            ContainerFacts facts = new ContainerFacts(
                    containerAttributes(created.name(), created.imageRef(), created.config().labels()),
                    created.config().stopSignal(), false);
            containers.put(id, facts);
            return List.of(new Message(CONTAINER, "create", id, facts.attributes(), at, offset));
        }
        ContainerFacts facts = containers.getOrDefault(id, UNKNOWN_CONTAINER);
        SortedMap<String, String> attributes = facts.attributes();
        if (event instanceof ContainerEntity.Started) {
            running(id, facts, true);
            return List.of(new Message(CONTAINER, "start", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Stopped stopped) {
            running(id, facts, false);
            return List.of(
                    new Message(CONTAINER, "kill", id, with(attributes, "signal", signalNumber(facts.stopSignal())), at, offset),
                    new Message(CONTAINER, "die", id, with(attributes, "exitCode", Integer.toString(stopped.exitCode())), at, offset),
                    new Message(CONTAINER, "stop", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Died died) {
            running(id, facts, false);
            Message die = new Message(CONTAINER, "die", id, with(attributes, "exitCode", Integer.toString(died.exitCode())),
                    at, offset);
            return died.oomKilled() ? List.of(new Message(CONTAINER, "oom", id, attributes, at, offset), die) : List.of(die);
        }
        if (event instanceof ContainerEntity.Restarted) {
            boolean wasRunning = facts.running();
            running(id, facts, true);
            Message start = new Message(CONTAINER, "start", id, attributes, at, offset);
            // The exit before a restart is recorded on its own (Died), unless the process ended unrecorded: its die
            // then goes without an exit code.
            return wasRunning ? List.of(new Message(CONTAINER, "die", id, attributes, at, offset), start) : List.of(start);
        }
        if (event instanceof ContainerEntity.Signalled signalled) {
            return List.of(new Message(CONTAINER, "kill", id, with(attributes, "signal", signalNumber(signalled.signal())),
                    at, offset));
        }
        if (event instanceof ContainerEntity.ExecCreated created) {
            return List.of(new Message(CONTAINER, "exec_create: " + String.join(" ", created.command()), id,
                    with(attributes, "execID", created.execId()), at, offset));
        }
        if (event instanceof ContainerEntity.ExecStarted started) {
            return List.of(new Message(CONTAINER, "exec_start: " + String.join(" ", started.command()), id,
                    with(attributes, "execID", started.execId()), at, offset));
        }
        if (event instanceof ContainerEntity.ExecDied died) {
            return List.of(new Message(CONTAINER, "exec_die", id, with(with(attributes, "execID", died.execId()),
                    "exitCode", Integer.toString(died.exitCode())), at, offset));
        }
        if (event instanceof ContainerEntity.RestartedByUser) {
            return List.of(new Message(CONTAINER, "restart", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Paused) {
            return List.of(new Message(CONTAINER, "pause", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Unpaused) {
            return List.of(new Message(CONTAINER, "unpause", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Renamed renamed) {
            SortedMap<String, String> renamedAttributes = with(attributes, "name", bare(renamed.newName()));
            containers.put(id, new ContainerFacts(renamedAttributes, facts.stopSignal(), facts.running()));
            return List.of(new Message(CONTAINER, "rename", id, with(renamedAttributes, "oldName", renamed.oldName()),
                    at, offset));
        }
        if (event instanceof ContainerEntity.Updated) {
            return List.of(new Message(CONTAINER, "update", id, attributes, at, offset));
        }
        if (event instanceof ContainerEntity.Removed) {
            containers.remove(id);
            Message destroy = new Message(CONTAINER, "destroy", id, attributes, at, offset);
            if (!facts.running()) {
                return List.of(destroy);
            }
            // A forced removal of a running container kills it with SIGKILL first, as dockerd reports.
            return List.of(
                    new Message(CONTAINER, "kill", id, with(attributes, "signal", "9"), at, offset),
                    new Message(CONTAINER, "die", id, with(attributes, "exitCode", "137"), at, offset),
                    destroy);
        }
        return List.of();
    }

    private void running(String id, ContainerFacts facts, boolean running) {
        if (facts != UNKNOWN_CONTAINER && facts.running() != running) {
            containers.put(id, facts.withRunning(running));
        }
    }

    private List<Message> image(ImageEntity.Event event, long offset) {
        String id = event.imageId();
        if (event instanceof ImageEntity.Imported imported) {
            imageLabels.put(id, imported.config().labels());
            return List.of(imageMessage("import", id, id, offset, event.at()));
        }
        if (event instanceof ImageEntity.Tagged tagged) {
            return List.of(imageMessage("tag", id, tagged.reference(), offset, event.at()));
        }
        if (event instanceof ImageEntity.Untagged) {
            return List.of(imageMessage("untag", id, id, offset, event.at()));
        }
        if (event instanceof ImageEntity.Deleted) {
            // dockerd looks the labels up after the deletion: its delete events have none.
            imageLabels.remove(id);
            return List.of(new Message(IMAGE, "delete", id, single("name", id), event.at(), offset));
        }
        return List.of();
    }

    private Message imageMessage(String action, String id, String name, long offset, Instant at) {
        Map<String, String> labels = imageLabels.get(id);
        SortedMap<String, String> attributes = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
        attributes.put("name", name);
        return new Message(IMAGE, action, id, attributes, at, offset);
    }

    private List<Message> network(NetworkEntity.Event event, long offset) {
        String id = event.networkId();
        if (event instanceof NetworkEntity.Created created) {
            networkSpecs.put(id, created.spec());
            return List.of(new Message(NETWORK, "create", id, networkAttributes(id), event.at(), offset));
        }
        if (event instanceof NetworkEntity.Attached attached) {
            return List.of(networkMessage("connect", id, attached.containerId(), offset, event.at()));
        }
        if (event instanceof NetworkEntity.Detached detached) {
            return List.of(networkMessage("disconnect", id, detached.containerId(), offset, event.at()));
        }
        if (event instanceof NetworkEntity.Removed) {
            SortedMap<String, String> attributes = networkAttributes(id);
            networkSpecs.remove(id);
            return List.of(new Message(NETWORK, "destroy", id, attributes, event.at(), offset));
        }
        return List.of();
    }

    private Message networkMessage(String action, String id, String containerId, long offset, Instant at) {
        SortedMap<String, String> attributes = networkAttributes(id);
        attributes.put("container", containerId);
        return new Message(NETWORK, action, id, attributes, at, offset);
    }

    private SortedMap<String, String> networkAttributes(String id) {
        SortedMap<String, String> attributes = new TreeMap<>();
        NetworkSpec spec = networkSpecs.get(id);
        if (spec != null) {
            attributes.put("name", spec.name());
            attributes.put("type", spec.driver());
        }
        return attributes;
    }

    private List<Message> volume(VolumeEntity.Event event, long offset) {
        String name = event.volumeName();
        if (event instanceof VolumeEntity.Created created) {
            volumeDrivers.put(name, created.driver());
            return List.of(new Message(VOLUME, "create", name, single("driver", created.driver()), event.at(), offset));
        }
        if (event instanceof VolumeEntity.Attached attached) {
            return List.of(volumeMessage("mount", name, attached.containerId(), offset, event.at()));
        }
        if (event instanceof VolumeEntity.Detached detached) {
            return List.of(volumeMessage("unmount", name, detached.containerId(), offset, event.at()));
        }
        if (event instanceof VolumeEntity.Removed) {
            String driver = volumeDrivers.remove(name);
            return List.of(new Message(VOLUME, "destroy", name,
                    driver == null ? new TreeMap<>() : single("driver", driver), event.at(), offset));
        }
        return List.of();
    }

    private Message volumeMessage(String action, String name, String containerId, long offset, Instant at) {
        SortedMap<String, String> attributes = new TreeMap<>();
        attributes.put("container", containerId);
        String driver = volumeDrivers.get(name);
        if (driver != null) {
            attributes.put("driver", driver);
        }
        return new Message(VOLUME, action, name, attributes, at, offset);
    }

    private static SortedMap<String, String> containerAttributes(String name, String image, Map<String, String> labels) {
        SortedMap<String, String> attributes = new TreeMap<>(labels);
        attributes.put("image", image);
        attributes.put("name", bare(name));
        return Collections.unmodifiableSortedMap(attributes);
    }

    private static SortedMap<String, String> with(SortedMap<String, String> attributes, String key, String value) {
        SortedMap<String, String> out = new TreeMap<>(attributes);
        out.put(key, value);
        return Collections.unmodifiableSortedMap(out);
    }

    private static SortedMap<String, String> single(String key, String value) {
        SortedMap<String, String> out = new TreeMap<>();
        out.put(key, value);
        return out;
    }

    private static String bare(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /** dockerd writes the signal of a kill event as its number; a stop without a stop signal sends SIGTERM. */
    static String signalNumber(String signal) {
        if (signal.isEmpty()) {
            return "15";
        }
        if (signal.chars().allMatch(Character::isDigit)) {
            return signal;
        }
        String upper = signal.toUpperCase(Locale.ROOT);
        String name = upper.startsWith("SIG") ? upper.substring(3) : upper;
        Integer number = SIGNAL_NUMBERS.get(name);
        if (number != null) {
            return number.toString();
        }
        // Linux's real-time signals, as dockerd's signal package numbers them: RTMIN is 34, RTMAX 64.
        if (name.startsWith("RTMIN") || name.startsWith("RTMAX")) {
            try {
                int base = name.startsWith("RTMIN") ? 34 : 64;
                return Integer.toString(name.length() == 5 ? base : base + Integer.parseInt(name.substring(5)));
            } catch (NumberFormatException e) {
                return signal;
            }
        }
        return signal;
    }
}
