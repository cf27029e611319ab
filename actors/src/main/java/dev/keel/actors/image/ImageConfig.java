package dev.keel.actors.image;

import java.util.List;
import java.util.Map;

/** The parts of an OCI image config that containers inherit as defaults; absent strings are empty, never null. */
public record ImageConfig(
        String architecture,
        String os,
        List<String> cmd,
        List<String> entrypoint,
        List<String> env,
        String workingDir,
        String user,
        Map<String, String> labels,
        List<String> exposedPorts,
        String stopSignal,
        List<String> layerDiffIds) {

    public ImageConfig {
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        exposedPorts = List.copyOf(exposedPorts);
        layerDiffIds = List.copyOf(layerDiffIds);
    }

    public static final ImageConfig EMPTY = new ImageConfig("", "", List.of(), List.of(), List.of(), "", "", Map.of(),
            List.of(), "", List.of());
}
