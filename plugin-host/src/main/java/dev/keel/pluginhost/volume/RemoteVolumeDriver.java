package dev.keel.pluginhost.volume;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.pluginhost.Plugin;
import dev.keel.pluginhost.PluginFailure;
import dev.keel.pluginhost.PluginInterface;
import dev.keel.pluginhost.Plugins;
import dev.keel.stateplane.spi.VolumeDriver;
import dev.keel.stateplane.spi.VolumeFailure;
import dev.keel.stateplane.spi.VolumeScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A volume driver that is a legacy plugin implementing {@code VolumeDriver}: every SPI call is one protocol call.
 * Mountpoints are host paths (v1 plugins).
 */
public final class RemoteVolumeDriver implements VolumeDriver {

    private final Plugin plugin;
    private volatile VolumeScope scope;

    private RemoteVolumeDriver(Plugin plugin) {
        this.plugin = plugin;
    }

    /**
     * The volume driver of plugin {@code name}, looked up and activated at first use (blocking, with retries); later
     * calls return the same driver.
     *
     * @throws VolumeFailure NOT_FOUND when no plugin by that name implements VolumeDriver, UNAVAILABLE when it
     *     cannot be reached
     */
    public static RemoteVolumeDriver lookUp(Plugins plugins, String name) {
        try {
            return plugins.adapter(name, PluginInterface.VOLUME_DRIVER, RemoteVolumeDriver::new);
        } catch (PluginFailure e) {
            throw failure("error looking up volume plugin " + name + ": ", e);
        }
    }

    @Override
    public String name() {
        return plugin.name();
    }

    /**
     * Asked once the plugin answers; a plugin without Capabilities, or with an error, is local, as in Docker. An
     * unreachable plugin is taken as local for now and asked again next time.
     */
    @Override
    public VolumeScope scope() {
        VolumeScope known = scope;
        if (known != null) {
            return known;
        }
        try {
            CapabilitiesAnswer answer = call("Capabilities", Map.of(), CapabilitiesAnswer.class);
            String wire = answer.capabilities() == null || answer.capabilities().scope() == null
                    ? "" : answer.capabilities().scope().toLowerCase(Locale.ROOT);
            known = wire.equals("global") ? VolumeScope.GLOBAL : VolumeScope.LOCAL;
        } catch (VolumeFailure e) {
            if (e.kind() == VolumeFailure.Kind.UNAVAILABLE) {
                return VolumeScope.LOCAL;
            }
            known = VolumeScope.LOCAL;
        }
        scope = known;
        return known;
    }

    @Override
    public void create(String name, Map<String, String> options) {
        call("Create", new CreateRequest(name, options), Empty.class);
    }

    /** A plugin that does not know the volume has nothing to remove: that is not an error (see the SPI). */
    @Override
    public void remove(String name) {
        try {
            callAbout(name, "Remove", new NameRequest(name), Empty.class);
        } catch (VolumeFailure e) {
            if (e.kind() != VolumeFailure.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** @throws VolumeFailure NOT_FOUND when the plugin fails and does not know the volume */
    @Override
    public Path mount(String name, String callerId) {
        MountpointAnswer answer = callAbout(name, "Mount", new CallerRequest(name, callerId), MountpointAnswer.class);
        if (answer.mountpoint() == null || answer.mountpoint().isEmpty()) {
            throw new VolumeFailure(VolumeFailure.Kind.FAILED,
                    "VolumeDriver.Mount: plugin " + name() + " returned no mountpoint for volume " + name);
        }
        return Path.of(answer.mountpoint());
    }

    /** A plugin that does not know the volume has nothing to unmount: that is not an error (see the SPI). */
    @Override
    public void unmount(String name, String callerId) {
        try {
            callAbout(name, "Unmount", new CallerRequest(name, callerId), Empty.class);
        } catch (VolumeFailure e) {
            if (e.kind() != VolumeFailure.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** @throws VolumeFailure NOT_FOUND when the plugin fails and does not know the volume */
    @Override
    public Optional<Path> path(String name) {
        MountpointAnswer answer = callAbout(name, "Path", new NameRequest(name), MountpointAnswer.class);
        return nonEmpty(answer.mountpoint()).map(Path::of);
    }

    /**
     * As Docker does, a plugin error means the plugin does not know the volume (its text is often "no such
     * volume"); only an unreachable or broken plugin is a failure.
     */
    @Override
    public Optional<VolumeInfo> get(String name) {
        GetAnswer answer;
        try {
            answer = plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver.Get", new NameRequest(name),
                    GetAnswer.class, Plugin.ERR);
        } catch (PluginFailure e) {
            if (e.reason() == PluginFailure.Reason.PLUGIN_ERROR) {
                return Optional.empty();
            }
            throw failure("", e);
        }
        return Optional.ofNullable(answer.volume()).map(v -> v.toInfo(name));
    }

    @Override
    public List<VolumeInfo> list() {
        ListAnswer answer = call("List", Map.of(), ListAnswer.class);
        List<VolumeInfo> volumes = new ArrayList<>();
        if (answer.volumes() != null) {
            for (WireVolume volume : answer.volumes()) {
                if (volume != null && volume.name() != null && !volume.name().isEmpty()) {
                    volumes.add(volume.toInfo(volume.name()));
                }
            }
        }
        return List.copyOf(volumes);
    }

    /**
     * Calls a method about one volume. Plugins say "no such volume" in their own words, so when one fails the
     * volume is looked up: if the plugin does not know it, the failure is NOT_FOUND, with the plugin's text.
     */
    private <T> T callAbout(String volume, String method, Object request, Class<T> answerType) {
        try {
            return plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver." + method, request, answerType,
                    Plugin.ERR);
        } catch (PluginFailure e) {
            if (e.reason() == PluginFailure.Reason.PLUGIN_ERROR && get(volume).isEmpty()) {
                throw new VolumeFailure(VolumeFailure.Kind.NOT_FOUND, e.getMessage(), e);
            }
            throw failure("", e);
        }
    }

    private <T> T call(String method, Object request, Class<T> answerType) {
        try {
            return plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver." + method, request, answerType,
                    Plugin.ERR);
        } catch (PluginFailure e) {
            throw failure("", e);
        }
    }

    private static VolumeFailure failure(String prefix, PluginFailure e) {
        VolumeFailure.Kind kind = switch (e.reason()) {
            case NO_SUCH_PLUGIN, WRONG_INTERFACE -> VolumeFailure.Kind.NOT_FOUND;
            case UNREACHABLE, TIMED_OUT, CONNECTION_LOST -> VolumeFailure.Kind.UNAVAILABLE;
            case BAD_DESCRIPTION, NOT_IMPLEMENTED, PLUGIN_ERROR, BAD_ANSWER -> VolumeFailure.Kind.FAILED;
        };
        return new VolumeFailure(kind, prefix + e.getMessage(), e);
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private record CreateRequest(@JsonProperty("Name") String name, @JsonProperty("Opts") Map<String, String> opts) {}

    private record NameRequest(@JsonProperty("Name") String name) {}

    private record CallerRequest(@JsonProperty("Name") String name, @JsonProperty("ID") String id) {}

    private record Empty() {}

    private record MountpointAnswer(@JsonProperty("Mountpoint") String mountpoint) {}

    private record GetAnswer(@JsonProperty("Volume") WireVolume volume) {}

    private record ListAnswer(@JsonProperty("Volumes") List<WireVolume> volumes) {}

    private record CapabilitiesAnswer(@JsonProperty("Capabilities") WireCapabilities capabilities) {}

    private record WireCapabilities(@JsonProperty("Scope") String scope) {}

    private record WireVolume(@JsonProperty("Name") String name, @JsonProperty("Mountpoint") String mountpoint,
                              @JsonProperty("CreatedAt") String createdAt, @JsonProperty("Status") JsonNode status) {

        VolumeInfo toInfo(String fallbackName) {
            return new VolumeInfo(name == null || name.isEmpty() ? fallbackName : name,
                    nonEmpty(mountpoint).map(Path::of), createdAt == null ? "" : createdAt, statusMap());
        }

        /** Status is free-form JSON; the SPI shows it as text, objects and arrays as their JSON. */
        private Map<String, String> statusMap() {
            Map<String, String> map = new LinkedHashMap<>();
            if (status != null && status.isObject()) {
                for (Map.Entry<String, JsonNode> entry : status.properties()) {
                    JsonNode value = entry.getValue();
                    map.put(entry.getKey(), value.isValueNode() ? value.asText() : value.toString());
                }
            }
            return map;
        }
    }
}
