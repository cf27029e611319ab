package dev.keel.os.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The {@code config} object of an image config: what a container made from the image starts with.
 * Field names are Docker's; absent fields stay null so a config read and written again keeps its shape.
 */
public record ContainerDefaults(
    @JsonProperty("User") String user,
    @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("Healthcheck") Healthcheck healthcheck,
    @JsonProperty("ArgsEscaped") Boolean argsEscaped,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Shell") List<String> shell) {

    public static ContainerDefaults empty() {
        return new ContainerDefaults(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
