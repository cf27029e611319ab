package dev.keel.httpapi.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerMount;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import dev.keel.actors.volume.Volumes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A container's mounts on the wire: HostConfig.Mounts and HostConfig.Tmpfs in a create, MountPoints out. */
final class ContainerMountCodec {

    private ContainerMountCodec() {}

    /**
     * {@code -v /path} (Config.Volumes: anonymous volumes), {@code --mount} (HostConfig.Mounts) and {@code --tmpfs}
     * (HostConfig.Tmpfs) as the container's mounts.
     */
    static List<ContainerMount> decode(JsonFields config, JsonFields host) {
        List<ContainerMount> mounts = new ArrayList<>();
        config.keys("Volumes").forEach(path -> mounts.add(new ContainerMount("volume", "", path, false, Map.of())));
        JsonNode list = host.node().get("Mounts");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw invalid("HostConfig.Mounts must be an array");
            }
            for (JsonNode node : list) {
                mounts.add(mount(new JsonFields(node, "HostConfig.Mounts")));
            }
        }
        host.stringMap("Tmpfs").forEach((target, options) -> {
            Map<String, String> parsed = new LinkedHashMap<>();
            boolean readOnly = false;
            for (String option : options.isEmpty() ? new String[0] : options.split(",")) {
                if (option.equals("ro")) {
                    readOnly = true;
                } else if (!option.equals("rw")) {
                    int eq = option.indexOf('=');
                    parsed.put(eq < 0 ? option : option.substring(0, eq), eq < 0 ? "" : option.substring(eq + 1));
                }
            }
            mounts.add(new ContainerMount("tmpfs", "", target, readOnly, parsed));
        });
        return mounts;
    }

    private static ContainerMount mount(JsonFields m) {
        String type = m.text("Type");
        String target = m.text("Target");
        if (target.isEmpty() || !target.startsWith("/")) {
            throw invalid("invalid mount config for type \"" + type + "\": invalid mount path: '" + target
                    + "' mount path must be absolute");
        }
        Map<String, String> options = new LinkedHashMap<>();
        switch (type) {
            case "volume" -> {
                if (m.object("VolumeOptions").bool("NoCopy")) {
                    options.put("nocopy", "true");
                }
            }
            case "bind" -> {
                if (m.text("Source").isEmpty()) {
                    throw invalid("invalid mount config for type \"bind\": field Source must not be empty");
                }
                String propagation = m.object("BindOptions").text("Propagation");
                if (!propagation.isEmpty()) {
                    options.put("propagation", propagation);
                }
            }
            case "tmpfs" -> {
                if (!m.text("Source").isEmpty()) {
                    throw invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
                }
                JsonFields tmpfs = m.object("TmpfsOptions");
                if (tmpfs.integer("SizeBytes") > 0) {
                    options.put("size", Long.toString(tmpfs.integer("SizeBytes")));
                }
                if (tmpfs.integer("Mode") > 0) {
                    options.put("mode", Long.toOctalString(tmpfs.integer("Mode")));
                }
            }
            default -> throw invalid("invalid mount config: mount type unknown: \"" + type + "\"");
        }
        return new ContainerMount(type, m.text("Source"), target, m.bool("ReadOnly"), options);
    }

    /** Docker's MountPoints of the list, where the volumes' host paths are left out. */
    static ArrayNode mountPoints(ContainerConfig c) {
        return mountPoints(c, name -> Optional.empty());
    }

    /**
     * Completes a container's inspect with what the volume plane knows: each volume mount's host path and driver, and
     * HostConfig's Mounts, Tmpfs, VolumesFrom and VolumeDriver.
     */
    static ObjectNode withVolumes(ObjectNode inspect, ContainerConfig c,
                                  Function<String, Optional<Volumes.MountSource>> volumes) {
        inspect.set("Mounts", mountPoints(c, volumes));
        if (inspect.get("HostConfig") instanceof ObjectNode host) {
            hostConfig(host, c);
        }
        return inspect;
    }

    /**
     * HostConfig's mount fields. The resolved mounts do not tell which flag made them, so Mounts lists every volume
     * and bind that is not one of Binds, and Tmpfs every tmpfs.
     */
    static void hostConfig(ObjectNode host, ContainerConfig c) {
        Set<String> bindTargets = new HashSet<>();
        for (String bind : c.binds()) {
            String[] parts = bind.split(":");
            bindTargets.add(parts.length == 1 ? parts[0] : parts[1]);
        }
        ArrayNode mounts = Json.MAPPER.createArrayNode();
        ObjectNode tmpfs = Json.MAPPER.createObjectNode();
        for (ContainerMount m : c.mounts()) {
            if (m.type().equals("tmpfs")) {
                List<String> options = new ArrayList<>();
                m.options().forEach((key, value) -> options.add(value.isEmpty() ? key : key + "=" + value));
                if (m.readOnly()) {
                    options.add("ro");
                }
                tmpfs.put(m.target(), String.join(",", options));
            } else if (!bindTargets.contains(m.target())) {
                ObjectNode mount = mounts.addObject();
                mount.put("Type", m.type());
                mount.put("Source", m.source());
                mount.put("Target", m.target());
                if (m.readOnly()) {
                    mount.put("ReadOnly", true);
                }
                if (m.options().containsKey("nocopy")) {
                    mount.putObject("VolumeOptions").put("NoCopy", true);
                }
            }
        }
        if (!mounts.isEmpty()) {
            host.set("Mounts", mounts);
        }
        if (!tmpfs.isEmpty()) {
            host.set("Tmpfs", tmpfs);
        }
        if (c.volumesFrom().isEmpty()) {
            host.putNull("VolumesFrom");
        } else {
            c.volumesFrom().forEach(host.putArray("VolumesFrom")::add);
        }
        host.put("VolumeDriver", c.volumeDriver());
    }

    /** Docker's MountPoints: the resolved mounts, or the binds of a container from before them. */
    static ArrayNode mountPoints(ContainerConfig c, Function<String, Optional<Volumes.MountSource>> volumes) {
        if (c.mounts().isEmpty()) {
            return ContainerCodec.mounts(c.binds());
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ContainerMount m : c.mounts()) {
            ObjectNode point = out.addObject();
            point.put("Type", m.type());
            if (m.type().equals("volume")) {
                Optional<Volumes.MountSource> volume = volumes.apply(m.source());
                point.put("Name", m.source());
                point.put("Source", volume.map(Volumes.MountSource::mountpoint).orElse(""));
                point.put("Driver", volume.map(Volumes.MountSource::driver).orElse("local"));
            } else {
                point.put("Source", m.source());
            }
            point.put("Destination", m.target());
            point.put("Mode", m.type().equals("volume") ? "z" : "");
            point.put("RW", !m.readOnly());
            point.put("Propagation", m.type().equals("bind") ? m.options().getOrDefault("propagation", "rprivate") : "");
        }
        return out;
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
