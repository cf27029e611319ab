package dev.keel.stateplane.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keel.stateplane.spi.VolumeFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A local volume's {@code -o} options: mount {@code device} of filesystem {@code type} with mount options {@code o} on
 * the volume's {@code _data}. Persisted as {@code opts.json} in Docker's own shape, so the file reads the same to
 * both engines.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record LocalVolumeOptions(
        @JsonProperty("MountType") String type,
        @JsonProperty("MountDevice") String device,
        @JsonProperty("MountOpts") String o) {

    private static final Set<String> KEYS = Set.of("type", "device", "o");

    /** Docker's rule: an option needs the ones listed with it, so no volume is half-described. */
    private static final Map<String, List<String>> REQUIRES = Map.of(
            "device", List.of("type"),
            "type", List.of("device"),
            "o", List.of("device", "type"));

    LocalVolumeOptions {
        type = type == null ? "" : type;
        device = device == null ? "" : device;
        o = o == null ? "" : o;
    }

    /** Validates {@code -o} options the way Docker's local driver does. */
    static LocalVolumeOptions of(Map<String, String> options) {
        for (String key : options.keySet().stream().sorted().toList()) {
            if (!KEYS.contains(key)) {
                throw new VolumeFailure(VolumeFailure.Kind.INVALID_ARGUMENT, "invalid option key: \"" + key + "\"");
            }
        }
        for (String key : List.of("device", "type", "o")) {
            if (options.containsKey(key)) {
                for (String required : REQUIRES.get(key)) {
                    if (!options.containsKey(required)) {
                        throw new VolumeFailure(VolumeFailure.Kind.INVALID_ARGUMENT,
                                "missing required option: \"" + required + "\"");
                    }
                }
            }
        }
        return new LocalVolumeOptions(options.get("type"), options.get("device"), options.get("o"));
    }

    /** Whether the volume is a mount rather than a plain directory. */
    boolean needsMount() {
        return !type.isEmpty() || !device.isEmpty();
    }

    MountOptions mountOptions() {
        return MountOptions.parse(o);
    }

    /** The options as the user gave them, for comparing a repeated create. */
    Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (!type.isEmpty()) {
            map.put("type", type);
        }
        if (!device.isEmpty()) {
            map.put("device", device);
        }
        if (!o.isEmpty()) {
            map.put("o", o);
        }
        return map;
    }
}
